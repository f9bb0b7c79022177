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

    /// <summary>The directory key of external people: Entra <c>tid</c>, or the generic provider's issuer (or issuer#tenant claim); null for local accounts.</summary>
    public string? ExternalTenantId { get; set; }

    /// <summary>Entra <c>oid</c> (or the generic provider's <c>sub</c>) for external people.</summary>
    public string? ExternalObjectId { get; set; }

    /// <summary>The sign-in scheme that vouches for <see cref="ExternalObjectId"/>; null until the person first signed in.</summary>
    public string? ExternalScheme { get; set; }

    /// <summary>The issuer that vouches for <see cref="ExternalObjectId"/>; null until the person first signed in (a pre-registration).</summary>
    public string? ExternalIssuer { get; set; }

    /// <summary>Global role: manages tenants, models and nodes. Not tied to any tenant.</summary>
    public bool IsPlatformAdmin { get; set; }

    /// <summary>A disabled person cannot sign in and their open sessions end.</summary>
    public bool IsDisabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Counts changes of the local password (changed, reset): sessions carry the value they began with, and a
    /// session with an older value ends at its next check.
    /// </summary>
    public int CredentialsVersion { get; set; }

    public List<Membership> Memberships { get; set; } = [];
}
