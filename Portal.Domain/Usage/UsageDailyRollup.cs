namespace Portal.Domain.Usage;

/// <summary>
/// The usage records of one day (in the tenant's time zone), one person, one model, one workspace and one node,
/// summed as they arrive. Reports over long periods read these instead of every record; additions
/// commute, so records arriving out of order give the same sums.
/// </summary>
public sealed class UsageDailyRollup : UsageSums, ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public DateOnly Day { get; set; }

    public Guid UserId { get; set; }

    public Guid ModelEntryId { get; set; }

    /// <summary>The workspace, or <see cref="Guid.Empty"/> for records without one.</summary>
    public Guid WorkspaceKey { get; set; }

    /// <summary>The inference node the generations ran on: its hardware profile prices their busy time.</summary>
    public string Node { get; set; } = "local";
}
