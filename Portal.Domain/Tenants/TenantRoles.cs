namespace Portal.Domain.Tenants;

/// <summary>
/// What a person may do inside one tenant. A membership can hold several.
/// Platform administration is not a tenant role: see <see cref="User.IsPlatformAdmin"/>.
/// </summary>
[Flags]
public enum TenantRoles
{
    None = 0,
    Member = 1,
    Manager = 2,
    TenantAdmin = 4,
    Auditor = 8,
}
