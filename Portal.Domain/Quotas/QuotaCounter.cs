namespace Portal.Domain.Quotas;

/// <summary>
/// What a tenant (<see cref="UserKey"/> empty) or one person has used in one quota window: tokens in
/// a day or month (reserved and settled alike), requests in a minute, or generations running now.
/// Every portal instance changes it with one conditional UPDATE, so a limit holds across instances.
/// </summary>
public sealed class QuotaCounter : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    /// <summary>The person, or <see cref="Guid.Empty"/> for the tenant as a whole.</summary>
    public Guid UserKey { get; set; }

    /// <summary>The window's key, e.g. "D2026-11-30", "M2026-11", "R2026-11-30T18:14", "C" (running now).</summary>
    public required string Window { get; set; }

    public long Value { get; set; }

    /// <summary>When the window is over and the row may be swept; null for the running-now counter.</summary>
    public DateTimeOffset? EndsAt { get; set; }
}
