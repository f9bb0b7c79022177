using Portal.Domain.Tenants;

namespace Portal.Web.Identity;

/// <summary>Role claim values: the tenant roles by their enum names, plus the platform-wide one.</summary>
public static class PortalRoles
{
    public const string Member = nameof(TenantRoles.Member);

    public const string Manager = nameof(TenantRoles.Manager);

    public const string TenantAdmin = nameof(TenantRoles.TenantAdmin);

    public const string Auditor = nameof(TenantRoles.Auditor);

    public const string PlatformAdmin = "PlatformAdmin";

    /// <summary>The tenant roles: every value a role map may name.</summary>
    public static IReadOnlyList<string> Tenant { get; } = [Member, Manager, TenantAdmin, Auditor];
}
