namespace Portal.Domain.Tenants;

/// <summary>Which areas of the portal a person may enter in the active tenant.</summary>
public static class AccessRules
{
    public static bool CanChat(User user, Membership? membership) =>
        IsActive(user, membership) && membership!.Grants(TenantRoles.Member);

    public static bool CanAdministerTenant(User user, Membership? membership) =>
        user.IsPlatformAdmin && !user.IsDisabled
        || IsActive(user, membership) && membership!.Grants(TenantRoles.TenantAdmin);

    public static bool CanSeeReports(User user, Membership? membership) =>
        IsActive(user, membership) && membership!.Grants(TenantRoles.Manager);

    public static bool CanReadAudit(User user, Membership? membership) =>
        IsActive(user, membership) && membership!.Grants(TenantRoles.Auditor);

    public static bool CanAdministerPlatform(User user) => user.IsPlatformAdmin && !user.IsDisabled;

    private static bool IsActive(User user, Membership? membership) =>
        !user.IsDisabled
        && membership is { IsDisabled: false }
        && membership.UserId == user.Id
        && membership.Tenant is not { IsSuspended: true };
}
