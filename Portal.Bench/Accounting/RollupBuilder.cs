using Portal.Domain.Usage;
using Portal.Web.Accounting;

namespace Portal.Bench.Accounting;

/// <summary>
/// The bulk equivalent of the product's rollups (UsageAccounting): the same keys (tenant, day, person, model,
/// workspace, node; and tenant, day, model, measure, bucket) and the same sums, added up in memory while the
/// records are generated, then written once; the coarse rollups (daily totals without the person, monthly
/// per person, monthly speed buckets) are the daily ones summed over their finer keys, which is what the
/// product's per-record upserts add up to. The bench checks it against the product's code on a sample.
/// </summary>
internal sealed class RollupBuilder
{
    private readonly Dictionary<(Guid Tenant, DateOnly Day, Guid User, Guid Model, Guid Workspace, string Node), UsageDailyRollup> daily = [];
    private readonly Dictionary<(Guid Tenant, DateOnly Day, Guid Model, SpeedMeasure Measure, int Bucket), long> speeds = [];

    /// <summary>Adds a record to its rollups; its day in UTC (the bench's tenants keep the default zone, as the product's clock does for them).</summary>
    public void Add(UsageRecord record)
    {
        var day = DateOnly.FromDateTime(record.CreatedAt.UtcDateTime);
        var key = (record.TenantId, day, record.UserId, record.ModelEntryId, record.WorkspaceId ?? Guid.Empty, record.Node);
        if (!daily.TryGetValue(key, out var row))
        {
            daily[key] = row = new UsageDailyRollup
            {
                Id = Guid.CreateVersion7(),
                TenantId = record.TenantId,
                Day = day,
                UserId = record.UserId,
                ModelEntryId = record.ModelEntryId,
                WorkspaceKey = record.WorkspaceId ?? Guid.Empty,
                Node = record.Node,
            };
        }

        row.Add(record);
        if (SpeedHistogram.Counts(record))
        {
            foreach (var measure in Enum.GetValues<SpeedMeasure>())
            {
                var bucket = SpeedHistogram.BucketOf(SpeedHistogram.ValueOf(record, measure));
                var speedKey = (record.TenantId, day, record.ModelEntryId, measure, bucket);
                speeds[speedKey] = speeds.GetValueOrDefault(speedKey) + 1;
            }
        }
    }

    public int DailyCount => daily.Count;

    public int SpeedCount => speeds.Count;

    public int TotalCount => Totals().Count();

    public int MonthlyPersonCount => MonthlyPersons().Count();

    public int MonthlySpeedCount => MonthlySpeeds().Count();

    public IEnumerable<UsageDailyRollup> Daily() => daily.Values;

    public IEnumerable<UsageSpeedRollup> Speeds() => speeds.Select(e => new UsageSpeedRollup
    {
        Id = Guid.CreateVersion7(),
        TenantId = e.Key.Tenant,
        Day = e.Key.Day,
        ModelEntryId = e.Key.Model,
        Measure = e.Key.Measure,
        Bucket = e.Key.Bucket,
        Answers = e.Value,
    });

    public IEnumerable<UsageDailyTotal> Totals() => daily
        .GroupBy(e => (e.Key.Tenant, e.Key.Day, e.Key.Model, e.Key.Workspace, e.Key.Node))
        .Select(g => Summed(g.Select(e => e.Value), new UsageDailyTotal
        {
            Id = Guid.CreateVersion7(),
            TenantId = g.Key.Tenant,
            Day = g.Key.Day,
            ModelEntryId = g.Key.Model,
            WorkspaceKey = g.Key.Workspace,
            Node = g.Key.Node,
        }));

    public IEnumerable<UsageMonthlyPersonRollup> MonthlyPersons() => daily
        .GroupBy(e => (e.Key.Tenant, Month: ReportPeriod.MonthOf(e.Key.Day), e.Key.User, e.Key.Node))
        .Select(g => Summed(g.Select(e => e.Value), new UsageMonthlyPersonRollup
        {
            Id = Guid.CreateVersion7(),
            TenantId = g.Key.Tenant,
            Month = g.Key.Month,
            UserId = g.Key.User,
            Node = g.Key.Node,
        }));

    public IEnumerable<UsageMonthlySpeedRollup> MonthlySpeeds() => speeds
        .GroupBy(e => (e.Key.Tenant, Month: ReportPeriod.MonthOf(e.Key.Day), e.Key.Model, e.Key.Measure, e.Key.Bucket))
        .Select(g => new UsageMonthlySpeedRollup
        {
            Id = Guid.CreateVersion7(),
            TenantId = g.Key.Tenant,
            Month = g.Key.Month,
            ModelEntryId = g.Key.Model,
            Measure = g.Key.Measure,
            Bucket = g.Key.Bucket,
            Answers = g.Sum(e => e.Value),
        });

    private static T Summed<T>(IEnumerable<UsageSums> rows, T row)
        where T : UsageSums
    {
        foreach (var finer in rows)
        {
            row.Add(finer);
        }

        return row;
    }
}
