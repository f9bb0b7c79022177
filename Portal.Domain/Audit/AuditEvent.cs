namespace Portal.Domain.Audit;

/// <summary>
/// One entry of the append-only, hash-chained audit log: who did what, when, with the state before
/// and after. Platform-level events (a model uploaded, a tenant created) have no tenant.
/// <see cref="ChainId"/>, <see cref="Sequence"/>, <see cref="PreviousHash"/> and <see cref="Hash"/>
/// are assigned by the data layer when the entry is saved; callers never set them.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; set; }

    public Guid? TenantId { get; set; }

    public Guid? ActorUserId { get; set; }

    /// <summary>Dotted name of the action, e.g. <c>signin.succeeded</c>, <c>model.uploaded</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What the action was done to, e.g. <c>model:3f2a…</c>.</summary>
    public string? Target { get; set; }

    /// <summary>JSON of the state before the action, where there was one.</summary>
    public string? Before { get; set; }

    /// <summary>JSON of the state after the action, where there is one.</summary>
    public string? After { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The chain the entry belongs to: its tenant's, or <see cref="AuditChains.Platform"/>.</summary>
    public Guid ChainId { get; set; }

    /// <summary>Position in the chain, 1 for the first entry; null only for rows written before chaining existed.</summary>
    public long? Sequence { get; set; }

    /// <summary>Hash of the previous entry of the chain (empty for the first).</summary>
    public string? PreviousHash { get; set; }

    /// <summary>SHA-256 over <see cref="AuditEventCanonicalForm"/> of this entry, lower-case hex.</summary>
    public string? Hash { get; set; }
}
