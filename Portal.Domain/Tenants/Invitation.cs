namespace Portal.Domain.Tenants;

/// <summary>
/// An invitation to join a tenant, pending until the invitee acts. It names an e-mail address, never an
/// account: whether that address already has an account is decided only when the invitee uses the link
/// (a new person chooses a password) or signs in (an existing person accepts or declines), so the inviter
/// learns nothing about other tenants' people. The link's secret is stored only as a hash.
/// </summary>
public sealed class Invitation : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    /// <summary>Trimmed and lower-case (<see cref="NormalizeEmail"/>).</summary>
    public required string Email { get; set; }

    public TenantRoles Roles { get; set; } = TenantRoles.Member;

    /// <summary>What the inviter proposed as the name; the invitee may choose another when setting a password.</summary>
    public string? DisplayName { get; set; }

    public Guid InvitedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>SHA-256 of the link's secret. Replaced when the invitation is issued again.</summary>
    public required byte[] SecretHash { get; set; }

    /// <summary>When the link's secret was used (it works once), whatever it led to.</summary>
    public DateTimeOffset? SecretUsedAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public DateTimeOffset? DeclinedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsPending(DateTimeOffset now) => AcceptedAt is null && DeclinedAt is null && RevokedAt is null && ExpiresAt > now;

    public static string NormalizeEmail(string? email) => (email ?? "").Trim().ToLowerInvariant();
}
