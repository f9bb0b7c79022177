using Microsoft.AspNetCore.Authorization;

namespace Portal.Web.Identity;

/// <summary>
/// The portal's authorization policies, one per area. The role claims behind them are computed at
/// sign-in through <see cref="Portal.Domain.Tenants.AccessRules"/>, so a policy only reads roles.
/// </summary>
public static class PortalPolicies
{
    public const string Member = "Member";

    public const string Manager = "Manager";

    public const string TenantAdmin = "TenantAdmin";

    public const string Auditor = "Auditor";

    public const string PlatformAdmin = "PlatformAdmin";

    public static AuthorizationBuilder AddPortalPolicies(this AuthorizationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .AddPolicy(Member, policy => policy.RequireRole(PortalRoles.Member))
            .AddPolicy(Manager, policy => policy.RequireRole(PortalRoles.Manager))
            .AddPolicy(TenantAdmin, policy => policy.RequireRole(PortalRoles.TenantAdmin, PortalRoles.PlatformAdmin))
            .AddPolicy(Auditor, policy => policy.RequireRole(PortalRoles.Auditor))
            .AddPolicy(PlatformAdmin, policy => policy.RequireRole(PortalRoles.PlatformAdmin));
    }
}
