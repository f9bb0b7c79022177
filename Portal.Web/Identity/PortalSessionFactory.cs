using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;

namespace Portal.Web.Identity;

/// <summary>
/// Builds a person's <see cref="PortalSession"/> from the database: their active memberships,
/// the tenant they work in, and the roles <see cref="AccessRules"/> grant them there.
/// </summary>
public sealed class PortalSessionFactory(PortalDbContext db, ITenantContext tenantContext)
{
    /// <summary>
    /// The session for <paramref name="userId"/>, working in <paramref name="preferredTenantId"/> when
    /// they may, else in their first tenant by name. Null when the person is unknown or disabled.
    /// </summary>
    public async Task<PortalSession?> CreateAsync(
        Guid userId, Guid? preferredTenantId, string signInMethod, CancellationToken cancellationToken)
    {
        // Sign-in happens before a tenant is chosen: reading one person's memberships crosses tenants.
        using var platform = tenantContext.BeginPlatformScope();
        var user = await db.PortalUsers.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null || user.IsDisabled)
        {
            return null;
        }

        var memberships = await db.Memberships.AsNoTracking()
            .Include(m => m.Tenant)
            .Where(m => m.UserId == userId && !m.IsDisabled)
            .ToListAsync(cancellationToken);
        var usable = memberships
            .Where(m => m.Tenant is { IsSuspended: false })
            .OrderBy(m => m.Tenant!.Name, StringComparer.CurrentCultureIgnoreCase)
            .ToList();

        var active = usable.FirstOrDefault(m => m.TenantId == preferredTenantId) ?? usable.FirstOrDefault();
        var tenant = active is null ? null : new ActiveTenant(active.TenantId, active.Tenant!.Name, GrantedRoles(user, active));
        return new PortalSession(
            user.Id,
            user.DisplayName,
            AccessRules.CanAdministerPlatform(user),
            tenant,
            usable.Select(m => new TenantChoice(m.TenantId, m.Tenant!.Name)).ToList(),
            signInMethod)
        {
            CredentialsVersion = user.CredentialsVersion,
        };
    }

    /// <summary>The roles the domain's access rules grant, so cookie roles never say more than the rules.</summary>
    private static TenantRoles GrantedRoles(User user, Membership membership)
    {
        var roles = TenantRoles.None;
        if (AccessRules.CanChat(user, membership))
        {
            roles |= TenantRoles.Member;
        }

        if (AccessRules.CanSeeReports(user, membership))
        {
            roles |= TenantRoles.Manager;
        }

        // A platform admin passes CanAdministerTenant anyway; the tenant role itself must be held.
        if (membership.Grants(TenantRoles.TenantAdmin) && AccessRules.CanAdministerTenant(user, membership))
        {
            roles |= TenantRoles.TenantAdmin;
        }

        if (AccessRules.CanReadAudit(user, membership))
        {
            roles |= TenantRoles.Auditor;
        }

        return roles;
    }
}
