using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Usage;
using Portal.Tests.Data.Infrastructure;
using Portal.Tests.Web.Quotas;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Reports;

/// <summary>
/// The coarse rollups (daily totals, monthly per person, monthly speed buckets) against the raw records: the
/// report over periods that start and end mid-month, in the tenant's time zone, equals what this test computes
/// from the records, and every rollup table equals the records grouped anew after they arrived shuffled.
/// </summary>
public sealed class CoarseRollupTests
{
    /// <summary>Auckland is 13 hours ahead of UTC in summer: many records fall on another day (and month) there than in UTC.</summary>
    private const string Zone = "Pacific/Auckland";

    private static readonly DateTimeOffset Start = new(2026, 9, 20, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ReportsOverPeriodsStartingAndEndingMidMonth_EqualTheRawRecords(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, Ct);
        await database.MigrateAsync(Ct);
        var (a, aRecords) = await SeedAsync(database, "Alpha", 260, seed: 11, sharedPeople: []);
        var (b, bRecords) = await SeedAsync(database, "Beta", 90, seed: 12, sharedPeople: [aRecords[0].UserId]);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);

        (DateOnly From, DateOnly To)[] periods =
        [
            (new(2026, 9, 25), new(2026, 12, 3)), // edges at both ends, two whole months inside
            (new(2026, 10, 1), new(2026, 11, 30)), // whole months only
            (new(2026, 10, 10), new(2026, 10, 20)), // inside one month
            (new(2026, 10, 15), new(2026, 11, 14)), // across a month's end, no whole month
            (new(2026, 11, 1), new(2026, 11, 1)), // one day, a month's first
            (new(2026, 9, 1), new(2026, 12, 31)), // whole months, the first and last partly empty
        ];
        foreach (var (from, to) in periods)
        {
            var report = await ReportSeed.BuildAsync(database, new ReportScope(a.Id), from, to);
            var inPeriod = aRecords.Where(r => LocalDay(r, zone) >= from && LocalDay(r, zone) <= to).ToList();
            var because = $"{from:yyyy-MM-dd}..{to:yyyy-MM-dd} on {provider}";
            Assert.True(inPeriod.Count > 0 || from == to, because);
            AssertEqualToRecords(report, inPeriod, zone, because);
        }

        // Every tenant: tenants apart, and a person active in both tenants counts once in each.
        var all = await ReportSeed.BuildAsync(database, new ReportScope((Guid?)null), periods[0].From, periods[0].To);
        var allInPeriod = aRecords.Concat(bRecords).Where(r => LocalDay(r, zone) >= periods[0].From && LocalDay(r, zone) <= periods[0].To).ToList();
        AssertEqualToRecords(all, allInPeriod, zone, "all tenants");
        Assert.Equal(allInPeriod.Select(r => (r.TenantId, r.UserId)).Distinct().Count(), all.ActivePeople);
        Assert.True(all.ActivePeople > allInPeriod.Select(r => r.UserId).Distinct().Count(), "the shared person counts in both tenants");
        Assert.Equal(
            allInPeriod.GroupBy(r => r.TenantId).Select(g => (long)g.Count()).OrderDescending(),
            all.ByTenant.Select(t => t.Requests).OrderDescending());
        Assert.Equal([a.Tenant.Name, b.Tenant.Name], all.ByTenant.Select(t => t.Label).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task EveryRollup_EqualsTheRawRecordsGrouped_AfterTheyArrivedShuffled(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, Ct);
        await database.MigrateAsync(Ct);
        var (a, records) = await SeedAsync(database, "Shuffled", 200, seed: 21, sharedPeople: []);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(Zone);

        await using var db = database.CreateContext(TenantScopes.For(a.Id));
        static (long, long, long, long, long, long, long, long, long) Sums(IEnumerable<UsageRecord> g) => (
            g.Count(),
            g.Count(r => r.Outcome is GenerationOutcome.Completed or GenerationOutcome.Length),
            g.Count(r => r.Outcome == GenerationOutcome.Stopped),
            g.Count(r => r.Outcome == GenerationOutcome.Failed),
            g.Count(r => r.Outcome == GenerationOutcome.Refused),
            g.Count(r => r.Outcome == GenerationOutcome.RefusedByQuota),
            g.Sum(r => (long)r.PromptTokens),
            g.Sum(r => (long)r.CompletionTokens),
            g.Sum(r => r.Duration.Ticks));
        static (long, long, long, long, long, long, long, long, long) Stored(UsageSums r) =>
            (r.Requests, r.Completed, r.Stopped, r.Failed, r.RefusedByPolicy, r.RefusedByQuota, r.PromptTokens, r.CompletionTokens, r.BusyTicks);

        Assert.Equal(
            records.GroupBy(r => (LocalDay(r, zone), r.ModelEntryId, r.WorkspaceId ?? Guid.Empty, r.Node)).Select(g => (g.Key, Sums(g))).OrderBy(x => x.Key).ToList(),
            (await db.UsageDailyTotals.AsNoTracking().ToListAsync(Ct)).Select(r => ((r.Day, r.ModelEntryId, r.WorkspaceKey, r.Node), Stored(r))).OrderBy(x => x.Item1).ToList());
        Assert.Equal(
            records.GroupBy(r => (ReportPeriod.MonthOf(LocalDay(r, zone)), r.UserId, r.Node)).Select(g => (g.Key, Sums(g))).OrderBy(x => x.Key).ToList(),
            (await db.UsageMonthlyPersonRollups.AsNoTracking().ToListAsync(Ct)).Select(r => ((r.Month, r.UserId, r.Node), Stored(r))).OrderBy(x => x.Item1).ToList());
        Assert.Equal(
            records.GroupBy(r => (LocalDay(r, zone), r.UserId, r.ModelEntryId, r.WorkspaceId ?? Guid.Empty, r.Node)).Select(g => (g.Key, Sums(g))).OrderBy(x => x.Key).ToList(),
            (await db.UsageDailyRollups.AsNoTracking().ToListAsync(Ct)).Select(r => ((r.Day, r.UserId, r.ModelEntryId, r.WorkspaceKey, r.Node), Stored(r))).OrderBy(x => x.Item1).ToList());

        var answers = records.Where(SpeedHistogram.Counts).ToList();
        Assert.NotEmpty(answers);
        Assert.Equal(
            Buckets(answers, r => ReportPeriod.MonthOf(LocalDay(r, zone))),
            (await db.UsageMonthlySpeedRollups.AsNoTracking().ToListAsync(Ct)).Select(r => ((r.Month, r.ModelEntryId, r.Measure, r.Bucket), r.Answers)).OrderBy(x => x.Item1).ToList());
        Assert.Equal(
            Buckets(answers, r => LocalDay(r, zone)),
            (await db.UsageSpeedRollups.AsNoTracking().ToListAsync(Ct)).Select(r => ((r.Day, r.ModelEntryId, r.Measure, r.Bucket), r.Answers)).OrderBy(x => x.Item1).ToList());
    }

    private static List<((DateOnly, Guid, SpeedMeasure, int), long)> Buckets(List<UsageRecord> answers, Func<UsageRecord, DateOnly> period) =>
        [.. answers
            .SelectMany(r => Enum.GetValues<SpeedMeasure>().Select(m => (period(r), r.ModelEntryId, m, SpeedHistogram.BucketOf(SpeedHistogram.ValueOf(r, m)))))
            .GroupBy(k => k).Select(g => (g.Key, (long)g.Count())).OrderBy(x => x.Key)];

    private static void AssertEqualToRecords(UsageReport report, List<UsageRecord> records, TimeZoneInfo zone, string because)
    {
        Assert.True(records.Count == report.Total.Requests, because);
        Assert.Equal((records.Sum(r => (long)r.PromptTokens), records.Sum(r => (long)r.CompletionTokens)), (report.Total.PromptTokens, report.Total.CompletionTokens));
        Assert.Equal(
            (records.LongCount(r => r.Outcome is GenerationOutcome.Refused or GenerationOutcome.RefusedByQuota), records.LongCount(r => r.Outcome == GenerationOutcome.Failed)),
            (report.Total.Refused, report.Total.Failed));
        Assert.Equal(Math.Round((decimal)records.Sum(r => r.Duration.TotalHours), 4), report.Total.OnPremCost);
        Assert.Equal(records.Select(r => (r.TenantId, r.UserId)).Distinct().Count(), report.ActivePeople);
        Assert.Equal(
            [.. records.GroupBy(r => LocalDay(r, zone)).OrderBy(g => g.Key).Select(g => (g.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), (long)g.Count(), g.Sum(r => (long)r.PromptTokens), g.Sum(r => (long)r.CompletionTokens)))],
            report.ByDay.Select(d => (d.Label, d.Requests, d.PromptTokens, d.CompletionTokens)));
        Assert.Equal(
            records.GroupBy(r => r.UserId).Select(g => ((long)g.Count(), g.Sum(r => (long)r.PromptTokens + r.CompletionTokens), Math.Round((decimal)TimeSpan.FromTicks(g.Sum(r => r.Duration.Ticks)).TotalHours, 4))).Order(),
            report.ByPerson.Select(p => (p.Requests, p.Tokens, p.OnPremCost)).Order());
        Assert.Equal(
            records.GroupBy(r => r.ModelEntryId).Select(g => ((long)g.Count(), g.Sum(r => (long)r.PromptTokens + r.CompletionTokens))).Order(),
            report.ByModel.Select(p => (p.Requests, p.Tokens)).Order());
        Assert.Equal(
            records.GroupBy(r => r.WorkspaceId).Select(g => ((long)g.Count(), g.Sum(r => (long)r.PromptTokens + r.CompletionTokens))).Order(),
            report.ByWorkspace.Select(p => (p.Requests, p.Tokens)).Order());

        // Medians: exactly what the same 5 % buckets give when filled from the records themselves.
        var answered = records.Where(SpeedHistogram.Counts).ToList();
        Assert.Equal(
            answered.GroupBy(r => r.ModelEntryId).Select(g => (g.Key, g.Count(), Median(g, SpeedMeasure.TimeToFirstTokenMs), Median(g, SpeedMeasure.TokensPerSecond))).OrderBy(s => s.Key),
            report.Speeds.Select(s => (s.ModelEntryId, s.Answers, s.MedianTimeToFirstTokenMs, s.MedianTokensPerSecond)).OrderBy(s => s.ModelEntryId));
    }

    private static double Median(IEnumerable<UsageRecord> answers, SpeedMeasure measure) =>
        Math.Round(SpeedHistogram.Median(answers.GroupBy(r => SpeedHistogram.BucketOf(SpeedHistogram.ValueOf(r, measure))).Select(g => (g.Key, (long)g.Count()))), 1);

    private static DateOnly LocalDay(UsageRecord record, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(record.CreatedAt, zone).DateTime);


    /// <summary>
    /// A tenant in Auckland's time zone with three people (plus <paramref name="sharedPeople"/> of another tenant), two models,
    /// two workspaces, and <paramref name="count"/> records over about 80 days, a fifth of them within an hour of a local month's
    /// end, recorded in shuffled order through the product's accounting.
    /// </summary>
    private static async Task<(SeededTenant Tenant, List<UsageRecord> Records)> SeedAsync(TestDatabase database, string name, int count, int seed, Guid[] sharedPeople)
    {
        var tenant = await SeededTenant.CreateAsync(database, name);
        await AccountingInstance.SetQuotaAsync(database, tenant.Id, null, q => q.TimeZoneId = Zone);
        var random = new Random(seed);
        var (people, models, workspaces) = await ReportSeed.CastAsync(database, tenant, name);
        people.AddRange(sharedPeople);

        // Local month ends (Auckland midnight at the start of Oct, Nov, Dec) in UTC, for records close to them.
        DateTimeOffset[] monthEnds = [new(2026, 9, 30, 11, 0, 0, TimeSpan.Zero), new(2026, 10, 31, 11, 0, 0, TimeSpan.Zero), new(2026, 11, 30, 11, 0, 0, TimeSpan.Zero)];
        var outcomes = new[] { GenerationOutcome.Completed, GenerationOutcome.Completed, GenerationOutcome.Completed, GenerationOutcome.Length, GenerationOutcome.Stopped, GenerationOutcome.Failed, GenerationOutcome.Refused, GenerationOutcome.RefusedByQuota };
        var records = Enumerable.Range(0, count).Select(i =>
        {
            var outcome = outcomes[random.Next(outcomes.Length)];
            var produced = outcome is GenerationOutcome.Completed or GenerationOutcome.Length or GenerationOutcome.Stopped;
            var createdAt = i % 5 == 0
                ? monthEnds[random.Next(monthEnds.Length)].AddMinutes(random.Next(-60, 60))
                : Start.AddMinutes(random.Next(0, 80 * 24 * 60));
            return new UsageRecord
            {
                TenantId = tenant.Id,
                UserId = people[random.Next(people.Count)],
                ModelEntryId = models[random.Next(models.Count)],
                WorkspaceId = workspaces[random.Next(workspaces.Count)],
                PromptTokens = outcome == GenerationOutcome.RefusedByQuota ? 0 : random.Next(5, 500),
                CompletionTokens = produced ? random.Next(1, 900) : 0,
                TimeToFirstToken = TimeSpan.FromMilliseconds(random.Next(20, 400)),
                Duration = TimeSpan.FromMilliseconds(random.Next(100, 20_000)),
                TokensPerSecond = Math.Round(random.NextDouble() * 80, 3),
                Outcome = outcome,
                CreatedAt = createdAt,
            };
        }).ToList();

        await ReportSeed.RecordShuffledAsync(database, records, random);

        return (tenant, records);
    }
}
