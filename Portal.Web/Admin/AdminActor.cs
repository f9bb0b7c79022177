using System.Security.Claims;
using Portal.Domain.Tenants;
using Portal.Web.Identity;

namespace Portal.Web.Admin;

/// <summary>Who performs an admin action, read from the portal's own cookie claims.</summary>
public sealed record AdminActor(Guid UserId, bool IsPlatformAdmin, Guid? ActiveTenantId, bool IsTenantAdmin)
{
    public static AdminActor From(ClaimsPrincipal principal)
    {
        var session = PortalPrincipal.Read(principal) ?? throw new AdminException(AdminFailure.Forbidden, "Sign in to administer the portal.");
        return new AdminActor(
            session.UserId,
            session.IsPlatformAdmin,
            session.Tenant?.Id,
            session.Tenant is { } tenant && tenant.Roles.HasFlag(TenantRoles.TenantAdmin));
    }

    /// <summary>
    /// The actor as the database says NOW: an admin page keeps its actor for the life of the circuit, so
    /// each action re-reads it, and a person demoted, disabled or removed since the page opened is refused.
    /// </summary>
    public static async Task<AdminActor> CurrentAsync(AdminActor cached, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cached);
        ArgumentNullException.ThrowIfNull(services);
        var fresh = await services.GetRequiredService<PortalSessionFactory>()
            .CreateAsync(cached.UserId, cached.ActiveTenantId, PortalSession.LocalSignIn, cancellationToken);
        var sameTenant = fresh is not null && (cached.ActiveTenantId is null || fresh.Tenant?.Id == cached.ActiveTenantId);
        var actor = fresh is null ? null : new AdminActor(
            fresh.UserId,
            fresh.IsPlatformAdmin,
            cached.ActiveTenantId,
            sameTenant && fresh.Tenant is { } tenant && tenant.Roles.HasFlag(TenantRoles.TenantAdmin));
        if (actor is null || !sameTenant || !(actor.IsPlatformAdmin || actor.IsTenantAdmin))
        {
            throw new AdminException(AdminFailure.Forbidden, "Your administration rights have changed since this page opened; reload it.");
        }

        return actor;
    }

    /// <summary>Platform administrators administer every tenant; tenant administrators only their active one.</summary>
    public bool MayAdminister(Guid tenantId) => IsPlatformAdmin || (IsTenantAdmin && ActiveTenantId == tenantId);

    public void RequirePlatformAdmin()
    {
        if (!IsPlatformAdmin)
        {
            throw new AdminException(AdminFailure.Forbidden, "Only platform administrators may do this.");
        }
    }
}
