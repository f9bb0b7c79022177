namespace Portal.Domain.Nodes;

/// <summary>
/// A key with which an inference node (a worker on this or another machine) connects to the portal's
/// node hub. Platform-level, created by a platform admin; only its SHA-256 is stored: the key itself is
/// shown once. A revoked key is refused at the next connection and its open connections are closed.
/// </summary>
public sealed class NodeKey
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public required string KeyHash { get; set; }

    /// <summary>The first characters of the key, to tell keys apart on the page.</summary>
    public required string Prefix { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public Guid? CreatedByUserId { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastSeenAt { get; set; }
}
