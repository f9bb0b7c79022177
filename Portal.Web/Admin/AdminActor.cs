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
