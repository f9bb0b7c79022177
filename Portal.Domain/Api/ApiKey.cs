namespace Portal.Domain.Api;

/// <summary>
/// A tenant's key for the OpenAI-compatible API. The secret is shown once at creation and kept only
/// as its SHA-256 hash; <see cref="KeyId"/> is the non-secret part of the key that finds the row.
/// A key bound to a person (<see cref="UserId"/>) acts as that person; an unbound key acts as the
/// tenant admin who created it. Either way the person's access is checked on every request.
/// </summary>
public sealed class ApiKey : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    /// <summary>The public, random part of the key (after "pk-", before the dot); unique.</summary>
    public required string KeyId { get; set; }

    /// <summary>SHA-256 of the whole key as the client sends it.</summary>
    public required byte[] SecretHash { get; set; }

    /// <summary>The person the key acts as; null: the key's creator.</summary>
    public Guid? UserId { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The models the key may use; empty: every model the tenant may use.</summary>
    public List<Guid> AllowedModelIds { get; set; } = [];

    public Guid CreatedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public Guid? RevokedByUserId { get; set; }

    /// <summary>The person whose access, quotas and conversations the key's requests use.</summary>
    public Guid ActingUserId => UserId ?? CreatedByUserId;

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
