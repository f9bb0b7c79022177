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

    /// <summary>A disabled membership keeps its history but grants nothing.</summary>
    public bool IsDisabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public bool Grants(TenantRoles role) => !IsDisabled && (Roles & role) == role;
}
