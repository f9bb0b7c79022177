namespace Portal.Domain.Tenants;

/// <summary>
/// A person. Local accounts share this id with their credential record; people who sign in through
/// Entra ID or another OpenID Connect provider are identified by issuer tenant and object id, never by e-mail.
/// </summary>
public sealed class User
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string DisplayName { get; set; }

    public string? Email { get; set; }

    /// <summary>Entra <c>tid</c> (or the generic provider's issuer) for external people; null for local accounts.</summary>
    public string? ExternalTenantId { get; set; }

    /// <summary>Entra <c>oid</c> (or the generic provider's <c>sub</c>) for external people.</summary>
    public string? ExternalObjectId { get; set; }

    /// <summary>Global role: manages tenants, models and nodes. Not tied to any tenant.</summary>
    public bool IsPlatformAdmin { get; set; }

    /// <summary>A disabled person cannot sign in and their open sessions end.</summary>
    public bool IsDisabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<Membership> Memberships { get; set; } = [];
}
