using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Policies;
using Portal.Web.Audit;

namespace Portal.Web.Policies;

/// <summary>What one retention run deleted in one tenant.</summary>
public sealed record RetentionResult(Guid TenantId, string PolicyLabel, int Conversations, int Messages, int KeptUnderHold);

/// <summary>
/// Deletes conversations older than each tenant's retention (by their last activity), except those
/// under legal hold, and writes one audit entry per tenant with how many it deleted. Usage records
/// stay (they are the tenant's accounts). Time comes from <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class RetentionJob(IServiceScopeFactory scopes, AuditLog audit, TimeProvider time, ILogger<RetentionJob> logger)
{
    public async Task<IReadOnlyList<RetentionResult>> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var results = new List<RetentionResult>();
        foreach (var tenantId in await TenantsWithRetentionAsync(cancellationToken))
        {
            if (await RunForTenantAsync(tenantId, cancellationToken) is { } result)
            {
                results.Add(result);
            }
        }

        return results;
    }

    private async Task<List<Guid>> TenantsWithRetentionAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var tenancy = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        using var platform = tenancy.BeginPlatformScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await db.TenantPolicies.Where(p => p.RetentionDays != null).Select(p => p.TenantId).Distinct().ToListAsync(cancellationToken);
    }

    private async Task<RetentionResult?> RunForTenantAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        if (await PolicyStore.CurrentAsync(db, cancellationToken) is not { RetentionDays: { } days } policy)
        {
            return null; // the current version keeps everything
        }

        var cutoff = time.GetUtcNow().AddDays(-days);
        var old = await db.Conversations.Where(c => c.UpdatedAt < cutoff).ToListAsync(cancellationToken);
        var expired = old.Where(c => !c.LegalHold).ToList();
        var held = old.Count - expired.Count;
        if (expired.Count == 0)
        {
            return new RetentionResult(tenantId, policy.Label, 0, 0, held);
        }

        var ids = expired.Select(c => c.Id).ToList();
        var messages = await db.Messages.Where(m => ids.Contains(m.ConversationId)).ToListAsync(cancellationToken);
        db.Messages.RemoveRange(messages);
        db.Conversations.RemoveRange(expired);
        var action = new PolicyAction(PolicyActionKind.DeletedByRetention, policy.Name, policy.Version,
            $"{expired.Count} conversations ({messages.Count} messages) older than {days} days; {held} kept under legal hold");
        audit.Add(db, new AuditEntry(action.AuditAction, null, $"tenant:{tenantId}",
            After: new { policy = policy.Name, version = policy.Version, retentionDays = days, cutoff, conversations = expired.Count, messages = messages.Count, keptUnderHold = held },
            TenantId: tenantId));
        await db.SaveChangesAsync(cancellationToken);
        LogDeleted(tenantId, expired.Count, messages.Count, held);
        return new RetentionResult(tenantId, policy.Label, expired.Count, messages.Count, held);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Conversations} conversations ({Messages} messages) in tenant {TenantId}; {Held} kept under legal hold")]
    private partial void LogDeleted(Guid tenantId, int conversations, int messages, int held);
}
