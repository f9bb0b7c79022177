namespace Portal.Domain.Audit;

/// <summary>
/// One entry of the append-only audit log: who did what, when, with the state before and after.
/// Platform-level events (a model uploaded, a tenant created) have no tenant.
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

    /// <summary>Hash of the previous entry; the policies issue makes the chain verifiable.</summary>
    public string? PreviousHash { get; set; }

    public string? Hash { get; set; }
}
