using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Audit;
using Portal.Web.Chat;
using Portal.Web.Identity;

namespace Portal.Web.Admin;

/// <summary>Platform administration of tenants and of the external directories and groups mapped to them. Every change is audited.</summary>
public sealed class TenantAdministration(
    PortalDbContext db, ITenantContext tenantContext, AuditLog audit, SessionInvalidation sessions, IAccessRevocation revocation, TimeProvider time)
{
    public async Task<IReadOnlyList<Tenant>> ListAsync(AdminActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        return await db.Tenants.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
    }

    public async Task<Tenant> CreateAsync(AdminActor actor, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        name = RequireName(name);
        var slug = await UniqueSlugAsync(name, cancellationToken);
        var tenant = new Tenant { Name = name, Slug = slug, CreatedAt = time.GetUtcNow() };
        db.Tenants.Add(tenant);
        audit.Add(db, new AuditEntry("tenant.created", actor.UserId, $"tenant:{tenant.Id}", After: Snapshot(tenant), TenantId: tenant.Id));
        await db.SaveChangesAsync(cancellationToken);
        return tenant;
    }

    public Task<Tenant> RenameAsync(AdminActor actor, Guid tenantId, string name, CancellationToken cancellationToken) =>
        ChangeAsync(actor, tenantId, "tenant.renamed", tenant => tenant.Name = RequireName(name), cancellationToken);

    /// <summary>Suspending ends the tenant's open pages within seconds (<see cref="SessionInvalidation"/>) and its chat connections and answers now.</summary>
    public async Task<Tenant> SetSuspendedAsync(AdminActor actor, Guid tenantId, bool suspended, CancellationToken cancellationToken)
    {
        var tenant = await ChangeAsync(actor, tenantId, suspended ? "tenant.suspended" : "tenant.resumed", tenant => tenant.IsSuspended = suspended, cancellationToken);
        if (suspended)
        {
            await revocation.RevokeTenantAsync(tenantId, CancellationToken.None);
        }

        return tenant;
    }

    public async Task<IReadOnlyList<ExternalTenantMapping>> ListMappingsAsync(AdminActor actor, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        return await db.ExternalTenantMappings.AsNoTracking()
            .Where(m => m.PortalTenantId == tenantId)
            .OrderBy(m => m.ExternalTenantId).ThenBy(m => m.ExternalGroupId)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Maps an Entra tenant id (or generic issuer), optionally narrowed to one group, to a portal tenant.</summary>
    public async Task<ExternalTenantMapping> AddMappingAsync(
        AdminActor actor, Guid tenantId, string externalTenantId, string? externalGroupId, TenantRoles defaultRoles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        await FindAsync(tenantId, cancellationToken);
        externalTenantId = externalTenantId?.Trim() ?? "";
        externalGroupId = string.IsNullOrWhiteSpace(externalGroupId) ? null : externalGroupId.Trim();
        if (externalTenantId.Length == 0)
        {
            throw new AdminException(AdminFailure.Invalid, "Give the directory's tenant id (Entra 'tid') or the provider's issuer.");
        }

        if (await db.ExternalTenantMappings.AnyAsync(m => m.ExternalTenantId == externalTenantId && m.ExternalGroupId == externalGroupId, cancellationToken))
        {
            throw new AdminException(AdminFailure.Invalid, externalGroupId is null
                ? $"Directory {externalTenantId} is already mapped."
                : $"Group {externalGroupId} of directory {externalTenantId} is already mapped.");
        }

        var mapping = new ExternalTenantMapping
        {
            ExternalTenantId = externalTenantId,
            ExternalGroupId = externalGroupId,
            PortalTenantId = tenantId,
            DefaultRoles = defaultRoles == TenantRoles.None ? TenantRoles.Member : defaultRoles,
        };
        db.ExternalTenantMappings.Add(mapping);
        audit.Add(db, new AuditEntry("tenant.mapping_added", actor.UserId, $"tenant:{tenantId}", After: mapping, TenantId: tenantId));
        await db.SaveChangesAsync(cancellationToken);
        return mapping;
    }

    public async Task RemoveMappingAsync(AdminActor actor, Guid mappingId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var mapping = await db.ExternalTenantMappings.SingleOrDefaultAsync(m => m.Id == mappingId, cancellationToken)
            ?? throw new AdminException(AdminFailure.NotFound, "That mapping does not exist.");
        db.ExternalTenantMappings.Remove(mapping);
        audit.Add(db, new AuditEntry("tenant.mapping_removed", actor.UserId, $"tenant:{mapping.PortalTenantId}", Before: mapping, TenantId: mapping.PortalTenantId));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<Tenant> ChangeAsync(AdminActor actor, Guid tenantId, string action, Action<Tenant> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var tenant = await FindAsync(tenantId, cancellationToken);
        var before = Snapshot(tenant);
        change(tenant);
        audit.Add(db, new AuditEntry(action, actor.UserId, $"tenant:{tenant.Id}", before, Snapshot(tenant), tenant.Id));
        await db.SaveChangesAsync(cancellationToken);
        sessions.AccessChanged(tenant.Id);
        return tenant;
    }

    private async Task<Tenant> FindAsync(Guid tenantId, CancellationToken cancellationToken) =>
        await db.Tenants.SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken)
        ?? throw new AdminException(AdminFailure.NotFound, "That tenant does not exist.");

    private async Task<string> UniqueSlugAsync(string name, CancellationToken cancellationToken)
    {
        var stem = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        stem = stem.Length == 0 ? "tenant" : stem[..Math.Min(stem.Length, 48)];
        using var platform = tenantContext.BeginPlatformScope();
        var taken = await db.Tenants.Where(t => t.Slug.StartsWith(stem)).Select(t => t.Slug).ToListAsync(cancellationToken);
        var slug = stem;
        for (var i = 2; taken.Contains(slug, StringComparer.Ordinal); i++)
        {
            slug = $"{stem}-{i}";
        }

        return slug;
    }

    private static string RequireName(string name)
    {
        name = name?.Trim() ?? "";
        return name.Length is > 0 and <= 200
            ? name
            : throw new AdminException(AdminFailure.Invalid, "A tenant needs a name of 1 to 200 characters.");
    }

    private static object Snapshot(Tenant tenant) => new { tenant.Name, tenant.Slug, tenant.IsSuspended };
}
