using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Web.Admin;
using Portal.Web.Audit;

namespace Portal.Web.Endpoints;

/// <summary>What a platform admin enters for an endpoint model. <see cref="NewApiKey"/>: null or empty keeps the stored key.</summary>
public sealed record EndpointModelInput(
    string Name,
    string BaseUrl,
    string RemoteModel,
    string? NewApiKey,
    bool RemoveApiKey,
    int ContextSize,
    int MaxOutputTokens,
    int ParallelRequests);

/// <summary>An endpoint model as the admin pages show it: never its key, only whether one is set.</summary>
public sealed record EndpointModelView(
    Guid Id,
    string Name,
    string BaseUrl,
    string RemoteModel,
    bool HasApiKey,
    int ContextSize,
    int MaxOutputTokens,
    int ParallelRequests,
    bool IsEnabled,
    IReadOnlySet<Guid> GrantedTenantIds);

/// <summary>
/// Endpoint models for platform administrators: add, change, remove and test. Only a platform admin
/// names URLs (nothing a member or tenant admin types is ever fetched); the key is stored protected and
/// never shown back; every change is audited without the key. Enabling and grants are the registry's
/// own (<see cref="ModelAdministration"/>), as for any model.
/// </summary>
public sealed class EndpointModelAdministration(
    PortalDbContext db,
    ITenantContext tenantContext,
    EndpointKeys keys,
    EndpointClient client,
    AuditLog audit,
    TimeProvider time)
{
    public const int MaxApiKeyLength = 1000;

    public async Task<IReadOnlyList<EndpointModelView>> ListAsync(AdminActor actor, CancellationToken cancellationToken)
    {
        Require(actor);
        using var platform = tenantContext.BeginPlatformScope();
        var models = await db.ModelEntries.AsNoTracking().Where(m => m.Kind == ModelKind.Endpoint).OrderBy(m => m.Name).ToListAsync(cancellationToken);
        var grants = await db.ModelGrants.AsNoTracking().Select(g => new { g.ModelEntryId, g.TenantId }).ToListAsync(cancellationToken);
        return [.. models.Select(m => View(m, grants.Where(g => g.ModelEntryId == m.Id).Select(g => g.TenantId).ToHashSet()))];
    }

    public async Task<Guid> AddAsync(AdminActor actor, EndpointModelInput input, CancellationToken cancellationToken)
    {
        Require(actor);
        var (baseUrl, name, remote) = Validate(input);
        var key = NewKey(input);
        var id = Guid.NewGuid();
        var entry = new ModelEntry
        {
            Id = id,
            Name = name,
            Kind = ModelKind.Endpoint,
            FileName = "endpoint-" + id.ToString("N"),
            Sha256 = ModelEndpoint.IdentityHash(baseUrl, remote),
            Architecture = "endpoint",
            CreatedAt = time.GetUtcNow(),
            Endpoint = new ModelEndpoint { BaseUrl = baseUrl, RemoteModel = remote, ProtectedApiKey = key is null ? null : keys.Protect(key) },
        };
        Apply(entry, input);
        await EnsureUniqueAsync(entry, cancellationToken);
        db.ModelEntries.Add(entry);
        audit.Add(db, new AuditEntry("model.endpoint_added", actor.UserId, $"model:{id}", After: Settings(entry)));
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async Task UpdateAsync(AdminActor actor, Guid modelId, EndpointModelInput input, CancellationToken cancellationToken)
    {
        Require(actor);
        var (baseUrl, name, remote) = Validate(input);
        var key = NewKey(input);
        var entry = await FindAsync(modelId, cancellationToken);
        var endpoint = entry.Endpoint!;
        var before = Settings(entry);
        entry.Name = name;
        endpoint.BaseUrl = baseUrl;
        endpoint.RemoteModel = remote;
        entry.Sha256 = ModelEndpoint.IdentityHash(baseUrl, remote);
        if (key is not null)
        {
            endpoint.ProtectedApiKey = keys.Protect(key);
        }
        else if (input.RemoveApiKey)
        {
            endpoint.ProtectedApiKey = null;
        }

        Apply(entry, input);
        await EnsureUniqueAsync(entry, cancellationToken);
        audit.Add(db, new AuditEntry("model.endpoint_changed", actor.UserId, $"model:{modelId}", before, new Dictionary<string, object?>(Settings(entry)) { ["KeyReplaced"] = key is not null }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Removes the endpoint model and its grants; the conversations keep their messages.</summary>
    public async Task RemoveAsync(AdminActor actor, Guid modelId, CancellationToken cancellationToken)
    {
        Require(actor);
        var entry = await FindAsync(modelId, cancellationToken);
        db.ModelEntries.Remove(entry);
        audit.Add(db, new AuditEntry("model.endpoint_removed", actor.UserId, $"model:{modelId}", Before: Settings(entry)));
        using (tenantContext.BeginPlatformScope())
        {
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Calls the remote's model list with what the form holds; with no key typed, the stored key of
    /// <paramref name="modelId"/> (if any) is used, so an admin can test without retyping it.
    /// </summary>
    public async Task<EndpointTestResult> TestAsync(AdminActor actor, Guid? modelId, EndpointModelInput input, CancellationToken cancellationToken)
    {
        Require(actor);
        ArgumentNullException.ThrowIfNull(input);
        var baseUrl = EndpointUrl.Normalize(input.BaseUrl, out var error) ?? throw new AdminException(AdminFailure.Invalid, error!);
        var remote = input.RemoteModel?.Trim() ?? "";
        if (remote.Length == 0)
        {
            throw new AdminException(AdminFailure.Invalid, "Enter the model's name on the engine.");
        }

        var key = NewKey(input);
        if (key is null && !input.RemoveApiKey && modelId is { } id)
        {
            key = keys.Unprotect((await FindAsync(id, cancellationToken)).Endpoint!.ProtectedApiKey);
        }

        return await client.TestAsync(baseUrl, key, remote, cancellationToken);
    }

    private static void Require(AdminActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
    }

    private static (string BaseUrl, string Name, string Remote) Validate(EndpointModelInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var name = input.Name?.Trim() ?? "";
        var remote = input.RemoteModel?.Trim() ?? "";
        var baseUrl = EndpointUrl.Normalize(input.BaseUrl, out var urlError);
        var error = name switch
        {
            "" => "Enter a name for the model, as members will see it.",
            { Length: > 200 } => "The name can have at most 200 characters.",
            _ when urlError is not null => urlError,
            _ when remote.Length == 0 => "Enter the model's name on the engine (as its /v1/models lists it).",
            _ when remote.Length > ModelEndpoint.MaxRemoteModelLength => $"The remote model name can have at most {ModelEndpoint.MaxRemoteModelLength} characters.",
            _ when remote.Any(char.IsControl) || name.Any(char.IsControl) => "Names cannot contain control characters.",
            _ when input.ContextSize is < 256 or > 1_048_576 => "The context size must be 256 to 1,048,576 tokens.",
            _ when input.MaxOutputTokens < 16 || input.MaxOutputTokens > input.ContextSize / 2 => "The most output tokens must be at least 16 and at most half the context size.",
            _ when input.ParallelRequests is < 1 or > 1024 => "Parallel requests must be 1 to 1024.",
            _ => null,
        };
        return error is null ? (baseUrl!, name, remote) : throw new AdminException(AdminFailure.Invalid, error);
    }

    private static string? NewKey(EndpointModelInput input)
    {
        var key = input.NewApiKey?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        return key.Length > MaxApiKeyLength || key.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            ? throw new AdminException(AdminFailure.Invalid, $"The API key must be at most {MaxApiKeyLength} characters, without spaces.")
            : key;
    }

    private static void Apply(ModelEntry entry, EndpointModelInput input)
    {
        var endpoint = entry.Endpoint!;
        endpoint.ContextSize = input.ContextSize;
        endpoint.MaxOutputTokens = input.MaxOutputTokens;
        endpoint.ParallelRequests = input.ParallelRequests;

        // The registry's own columns say the same, so every list of models shows the right context.
        entry.ContextLength = input.ContextSize;
        entry.DefaultContextSize = input.ContextSize;
        entry.DefaultParallelSlots = Math.Min(input.ParallelRequests, 256);
    }

    private async Task EnsureUniqueAsync(ModelEntry entry, CancellationToken cancellationToken)
    {
        using var platform = tenantContext.BeginPlatformScope();
        if (await db.ModelEntries.AsNoTracking().FirstOrDefaultAsync(m => m.Id != entry.Id && m.Sha256 == entry.Sha256, cancellationToken) is { } same)
        {
            throw new AdminException(AdminFailure.Invalid, $"This engine's model '{entry.Endpoint!.RemoteModel}' is already registered as '{same.Name}'.");
        }
    }

    private async Task<ModelEntry> FindAsync(Guid modelId, CancellationToken cancellationToken)
    {
        using var platform = tenantContext.BeginPlatformScope();
        return await db.ModelEntries.SingleOrDefaultAsync(m => m.Id == modelId && m.Kind == ModelKind.Endpoint, cancellationToken)
            ?? throw new AdminException(AdminFailure.NotFound, "That endpoint model does not exist.");
    }

    private static EndpointModelView View(ModelEntry m, IReadOnlySet<Guid> granted) => new(
        m.Id, m.Name, m.Endpoint?.BaseUrl ?? "", m.Endpoint?.RemoteModel ?? "", m.Endpoint?.ProtectedApiKey is not null,
        m.Endpoint?.ContextSize ?? 0, m.Endpoint?.MaxOutputTokens ?? 0, m.Endpoint?.ParallelRequests ?? 0, m.IsEnabled, granted);

    /// <summary>What the audit records of an endpoint model: everything but the key, of which only whether one is set.</summary>
    private static Dictionary<string, object?> Settings(ModelEntry m) => new()
    {
        ["Name"] = m.Name,
        ["BaseUrl"] = m.Endpoint?.BaseUrl,
        ["RemoteModel"] = m.Endpoint?.RemoteModel,
        ["KeySet"] = m.Endpoint?.ProtectedApiKey is not null,
        ["ContextSize"] = m.Endpoint?.ContextSize,
        ["MaxOutputTokens"] = m.Endpoint?.MaxOutputTokens,
        ["ParallelRequests"] = m.Endpoint?.ParallelRequests,
    };
}
