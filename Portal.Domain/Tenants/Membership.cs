namespace Portal.Domain.Tenants;

/// <summary>A person's place in one tenant, with the roles they hold there.</summary>
public sealed class Membership : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public User? User { get; set; }

    public Tenant? Tenant { get; set; }

    public TenantRoles Roles { get; set; } = TenantRoles.Member;

    /// <summary>
    /// Set when a portal administrator chose this member's roles: from then on an external directory's
    /// token roles no longer overwrite them at sign-in.
    /// </summary>
    public bool RolesSetInPortal { get; set; }

    /// <summary>A disabled membership keeps its history but grants nothing.</summary>
    public bool IsDisabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public bool Grants(TenantRoles role) => !IsDisabled && (Roles & role) == role;
}
