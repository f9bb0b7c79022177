namespace Portal.Data;

/// <summary>
/// The tenant whose data the current request or circuit may see and change. Scoped: the web layer
/// sets it once it knows the caller's active tenant; tests set it directly. With no tenant set,
/// tenant-owned queries return nothing and tenant-owned writes are refused (fail closed).
/// </summary>
public interface ITenantContext
{
    /// <summary>The current tenant, or null when none has been chosen yet.</summary>
    Guid? TenantId { get; }

    /// <summary>True inside <see cref="BeginPlatformScope"/>: queries and writes may cross tenants.</summary>
    bool IsPlatformScope { get; }

    /// <summary>Makes <paramref name="tenantId"/> the tenant every query and write is held to.</summary>
    void SetTenant(Guid tenantId);

    /// <summary>
    /// Lets platform-level code (sign-in resolving memberships, platform admin pages, background
    /// jobs) read and write across tenants until the returned handle is disposed. Nested scopes are fine.
    /// </summary>
    IDisposable BeginPlatformScope();
}
