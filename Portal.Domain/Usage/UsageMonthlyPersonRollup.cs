namespace Portal.Domain.Usage;

/// <summary>
/// One person's usage records of one calendar month (tenant time zone) on one node. The by-person table and
/// the count of active people read these for the whole months of a period and the per-person daily rows
/// (<see cref="UsageDailyRollup"/>) only for the days at its edges.
/// </summary>
public sealed class UsageMonthlyPersonRollup : UsageSums, ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    /// <summary>The month's first day.</summary>
    public DateOnly Month { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The inference node the generations ran on: its hardware profile prices their busy time.</summary>
    public string Node { get; set; } = UsageRecord.LocalNode;
}
