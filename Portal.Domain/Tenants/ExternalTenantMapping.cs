namespace Portal.Domain.Tenants;

/// <summary>
/// Decides which portal tenant a person signed in through Entra ID (or another OpenID Connect
/// provider) belongs to: their directory tenant id, and optionally one of their groups.
/// Platform-level configuration: it is read before anyone's tenant is known.
/// </summary>
public sealed class ExternalTenantMapping
{
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>Entra <c>tid</c>, or the issuer of a generic provider.</summary>
    public required string ExternalTenantId { get; set; }

    /// <summary>When set, only members of this group are mapped by this entry.</summary>
    public string? ExternalGroupId { get; set; }

    public Guid PortalTenantId { get; set; }

    /// <summary>Roles given to a person first seen through this mapping when the token carries no app roles.</summary>
    public TenantRoles DefaultRoles { get; set; } = TenantRoles.Member;
}
