using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Domain.Policies;
using Portal.Web.Audit;
using Portal.Web.Policies;

namespace Portal.Web.Api;

/// <summary>
/// A model as the API names it: its name, or its id where two of the tenant's models share a name.
/// <c>IsEndpoint</c>: served by an external engine (ready whenever it is enabled), not a GGUF file that must be loaded.
/// </summary>
public sealed record ApiModel(Guid Id, string ApiName, DateTimeOffset CreatedAt, bool IsEndpoint = false);

/// <summary>
/// Which models a key may use: granted to its tenant and enabled (else "unknown", 404), allowed by the
/// tenant's policy and by the key's own list (else 403). The policy's refusal is audited as the chat page audits it.
/// </summary>
public sealed class ApiModels(IServiceScopeFactory scopes, AuditLog audit)
{
    /// <summary>The models the key may use now.</summary>
    public async Task<IReadOnlyList<ApiModel>> UsableAsync(ApiKeyCaller key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var scope = Open(key, out var db);
        var (granted, policy) = await GrantedAsync(db, cancellationToken);
        return [.. granted.Where(m => Allows(policy, key, m.Id))];
    }

    /// <summary>The model <paramref name="name"/> (an API name or an id) for the key, or an <see cref="OpenAiErrorException"/>.</summary>
    public async Task<ApiModel> ResolveAsync(ApiKeyCaller key, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var scope = Open(key, out var db);
        var (granted, policy) = await GrantedAsync(db, cancellationToken);
        var model = granted.FirstOrDefault(m => m.ApiName == name || m.Id.ToString() == name)
            ?? throw new OpenAiErrorException(404, $"The model '{name}' does not exist or you do not have access to it.", param: "model", code: "model_not_found");
        if (policy is { AllowedModelIds.Count: > 0 } && !policy.AllowedModelIds.Contains(model.Id))
        {
            var refusal = new PolicyAction(PolicyActionKind.ModelNotAllowed, policy.Name, policy.Version, $"the model “{model.ApiName}” is not among the models this tenant allows");
            await audit.RecordAsync(db, PolicyAudit.Entry(key.Caller.UserId, key.Caller.TenantId, $"model:{model.Id}", refusal, null, null), cancellationToken);
            throw new OpenAiErrorException(403, refusal.Describe(), param: "model", code: "model_not_allowed");
        }

        if (key.AllowedModelIds.Count > 0 && !key.AllowedModelIds.Contains(model.Id))
        {
            throw new OpenAiErrorException(403, $"This API key may not use the model '{model.ApiName}'.", param: "model", code: "model_not_allowed");
        }

        return model;
    }

    private static bool Allows(TenantPolicy? policy, ApiKeyCaller key, Guid modelId) =>
        (policy is not { AllowedModelIds.Count: > 0 } || policy.AllowedModelIds.Contains(modelId))
        && (key.AllowedModelIds.Count == 0 || key.AllowedModelIds.Contains(modelId));

    private AsyncServiceScope Open(ApiKeyCaller key, out PortalDbContext db)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(key.Caller.TenantId);
        db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return scope;
    }

    private static async Task<(IReadOnlyList<ApiModel> Granted, TenantPolicy? Policy)> GrantedAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        var entries = await db.ModelGrants
            .Join(db.ModelEntries, g => g.ModelEntryId, m => m.Id, (_, m) => m)
            .Where(m => m.IsEnabled)
            .ToListAsync(cancellationToken);
        var shared = entries.GroupBy(m => m.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        IReadOnlyList<ApiModel> granted = [.. entries
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => new ApiModel(m.Id, shared.Contains(m.Name) ? m.Id.ToString() : m.Name, Registered(m), m.Kind == ModelKind.Endpoint))];
        return (granted, await PolicyStore.CurrentAsync(db, cancellationToken));
    }

    private static DateTimeOffset Registered(ModelEntry model) => model.CreatedAt;
}
