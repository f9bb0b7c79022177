namespace Portal.Domain.Usage;

/// <summary>
/// The usage records of one day (tenant time zone), one model, one workspace and one node, of all people
/// together: the by-day, by-model, by-workspace, rate and tenant tables read these, a few dozen rows a day
/// per tenant however many people there are.
/// </summary>
public sealed class UsageDailyTotal : UsageSums, ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public DateOnly Day { get; set; }

    public Guid ModelEntryId { get; set; }

    /// <summary>The workspace, or <see cref="Guid.Empty"/> for records without one.</summary>
    public Guid WorkspaceKey { get; set; }

    /// <summary>The inference node the generations ran on: its hardware profile prices their busy time.</summary>
    public string Node { get; set; } = UsageRecord.LocalNode;
}
