namespace Portal.Domain.Tenants;

/// <summary>
/// A one-time link an administrator issued so a local account's owner sets a new password. Issuing it
/// removes the old password; the secret is stored only as a hash and works once, until it expires.
/// </summary>
public sealed class PasswordReset
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid UserId { get; set; }

    /// <summary>The tenant whose administrator issued it (for the audit trail).</summary>
    public Guid TenantId { get; set; }

    public Guid IssuedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public required byte[] SecretHash { get; set; }

    /// <summary>Set when used, or when a newer link replaced it.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}
