using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Policies;
using Portal.Web.Admin;
using Portal.Web.Audit;

namespace Portal.Web.Policies;

/// <summary>A conversation of the tenant as the legal-hold list shows it.</summary>
public sealed record HoldableConversation(Guid Id, string Title, string Owner, DateTimeOffset UpdatedAt, bool LegalHold);

/// <summary>
/// Tenant admins edit their tenant's policy here: every save is a new version (the old ones stay and
/// are what earlier messages name), and is audited with the version before and after. Legal hold is
/// set here too, by a tenant admin or an auditor. Scoped: a fresh context per action.
/// </summary>
public sealed class PolicyAdministration(PortalDbContext db, ITenantContext tenantContext, AuditLog audit, TimeProvider time)
{
    public const string DefaultName = "Tenant policy";

    /// <summary>The tenant's current policy, or a first draft (version 1, unsaved) when it has none.</summary>
    public async Task<TenantPolicy> CurrentOrNewAsync(AdminActor actor, CancellationToken cancellationToken = default)
    {
        var tenantId = RequireTenantAdmin(actor);
        return await PolicyStore.CurrentAsync(db, cancellationToken) ?? new TenantPolicy { TenantId = tenantId, Name = DefaultName, Version = 0 };
    }

    /// <summary>The models granted to the tenant (the choices for "allowed models").</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> GrantedModelsAsync(AdminActor actor, CancellationToken cancellationToken = default)
    {
        RequireTenantAdmin(actor);
        var models = await db.ModelGrants.Join(db.ModelEntries, g => g.ModelEntryId, m => m.Id, (_, m) => new { m.Id, m.Name }).ToListAsync(cancellationToken);
        return [.. models.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).Select(m => (m.Id, m.Name))];
    }

    /// <summary>Every version, newest first.</summary>
    public async Task<IReadOnlyList<TenantPolicy>> VersionsAsync(AdminActor actor, CancellationToken cancellationToken = default)
    {
        RequireTenantAdmin(actor);
        return await db.TenantPolicies.AsNoTracking().OrderByDescending(p => p.Version).ToListAsync(cancellationToken);
    }

    /// <summary>Saves <paramref name="draft"/> as the next version; refuses, with the reason, a draft that cannot work.</summary>
    public async Task<TenantPolicy> SaveAsync(AdminActor actor, TenantPolicy draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var tenantId = RequireTenantAdmin(actor);
        if (Problem(draft) is { } problem)
        {
            throw new AdminException(AdminFailure.Invalid, problem);
        }

        var before = await PolicyStore.CurrentAsync(db, cancellationToken);
        var saved = draft.NextDraft();
        saved.TenantId = tenantId;
        saved.Version = (before?.Version ?? 0) + 1;
        saved.Name = draft.Name.Trim();
        saved.CreatedByUserId = actor.UserId;
        saved.CreatedAt = time.GetUtcNow();
        db.TenantPolicies.Add(saved);
        audit.Add(db, new AuditEntry("policy.saved", actor.UserId, $"policy:{saved.Name}", before is null ? null : Snapshot(before), Snapshot(saved), tenantId));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw new AdminException(AdminFailure.Invalid, "Someone else saved the policy at the same moment; reload to see their version, then save yours again.");
        }

        return saved;
    }

    /// <summary>The tenant's conversations, newest first (titles only), for legal hold.</summary>
    public async Task<IReadOnlyList<HoldableConversation>> ConversationsAsync(AdminActor actor, bool mayHold, CancellationToken cancellationToken = default)
    {
        RequireHolder(actor, mayHold);
        var rows = await db.Conversations
            .Join(db.PortalUsers, c => c.OwnerUserId, u => u.Id, (c, u) => new { c.Id, c.Title, Owner = u.DisplayName, c.UpdatedAt, c.LegalHold })
            .ToListAsync(cancellationToken);
        return [.. rows.OrderByDescending(r => r.UpdatedAt).Select(r => new HoldableConversation(r.Id, r.Title, r.Owner, r.UpdatedAt, r.LegalHold))];
    }

    /// <param name="actor">Who sets it.</param>
    /// <param name="mayHold">Whether the caller is the tenant's admin or auditor (the page's role check).</param>
    /// <param name="conversationId">Any conversation of the caller's tenant.</param>
    /// <param name="hold">On or off.</param>
    /// <param name="cancellationToken">Cancels the save.</param>
    public async Task SetLegalHoldAsync(AdminActor actor, bool mayHold, Guid conversationId, bool hold, CancellationToken cancellationToken = default)
    {
        var tenantId = RequireHolder(actor, mayHold);
        var conversation = await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId, cancellationToken)
            ?? throw new AdminException(AdminFailure.NotFound, "Conversation not found.");
        var before = new { conversation.LegalHold };
        conversation.LegalHold = hold;
        conversation.LegalHoldSetByUserId = actor.UserId;
        conversation.LegalHoldSetAt = time.GetUtcNow();
        audit.Add(db, new AuditEntry(hold ? "conversation.legal_hold_set" : "conversation.legal_hold_lifted", actor.UserId, $"conversation:{conversationId}", before, new { LegalHold = hold }, tenantId));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Why <paramref name="policy"/> cannot be saved, or null.</summary>
    public static string? Problem(TenantPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (string.IsNullOrWhiteSpace(policy.Name))
        {
            return "The policy needs a name: it is shown with every action it takes.";
        }

        if (policy.RetentionDays is < 1)
        {
            return "Retention is at least one day (leave it empty to keep conversations until they are deleted).";
        }

        var problem = policy.InputRules.Select(r => InputRuleChecker.Problem(r, onOutput: false))
            .Concat(policy.OutputRules.Select(r => InputRuleChecker.Problem(r, onOutput: true)))
            .FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            return problem;
        }

        foreach (var pattern in policy.CustomPiiPatterns)
        {
            if (string.IsNullOrWhiteSpace(pattern.Name))
            {
                return "Every redaction pattern needs a name: it is what people see in place of the value.";
            }

            if (InputRuleChecker.Problem(new PolicyRule(pattern.Name, PolicyRuleKind.Regex, pattern.Pattern), onOutput: false) is { } bad)
            {
                return bad;
            }
        }

        return null;
    }

    private static object Snapshot(TenantPolicy p) => new
    {
        p.Name,
        p.Version,
        p.EnforcedSystemPrompt,
        p.Principles,
        p.SelfCheckEnabled,
        SelfCheckStreaming = p.SelfCheckStreaming.ToString(),
        p.InputRules,
        p.OutputRules,
        p.RedactPii,
        p.CustomPiiPatterns,
        p.AllowedModelIds,
        p.RetentionDays,
        p.StorePrompts,
    };

    private Guid RequireTenantAdmin(AdminActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.ActiveTenantId is not { } tenantId || !actor.MayAdminister(tenantId))
        {
            throw new AdminException(AdminFailure.Forbidden, "Only the tenant's administrators may edit its policy.");
        }

        tenantContext.SetTenant(tenantId);
        return tenantId;
    }

    private Guid RequireHolder(AdminActor actor, bool mayHold)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.ActiveTenantId is not { } tenantId || !(mayHold || actor.MayAdminister(tenantId)))
        {
            throw new AdminException(AdminFailure.Forbidden, "Only the tenant's administrators and auditors may set legal hold.");
        }

        tenantContext.SetTenant(tenantId);
        return tenantId;
    }
}
