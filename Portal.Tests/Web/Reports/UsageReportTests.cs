using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Usage;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Reports;

/// <summary>Report figures over a seeded set, against values computed here from the same records, on SQLite and PostgreSQL.</summary>
public sealed class UsageReportTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static readonly DateOnly First = new(2026, 10, 5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Figures_EqualValuesComputedFromTheRecords_AndRollupsEqualRawAggregation(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var (a, records) = await SeedAsync(database, "Figures", 120, seed: 7);

        var report = await ReportSeed.BuildAsync(database, new ReportScope(a.Id), First, First.AddDays(3));

        var inPeriod = records.Where(r => DateOnly.FromDateTime(r.CreatedAt.UtcDateTime) <= First.AddDays(3)).ToList();
        Assert.Equal(inPeriod.Count, report.Total.Requests);
        Assert.Equal(inPeriod.Sum(r => (long)r.PromptTokens), report.Total.PromptTokens);
        Assert.Equal(inPeriod.Sum(r => (long)r.CompletionTokens), report.Total.CompletionTokens);
        Assert.Equal(inPeriod.Select(r => r.UserId).Distinct().Count(), report.ActivePeople);
        Assert.Equal(inPeriod.Count(r => r.Outcome is GenerationOutcome.Refused or GenerationOutcome.RefusedByQuota), report.Total.Refused);
        Assert.Equal(inPeriod.Count(r => r.Outcome == GenerationOutcome.Failed), report.Total.Failed);
        Assert.Equal(
            [.. inPeriod.GroupBy(r => DateOnly.FromDateTime(r.CreatedAt.UtcDateTime)).OrderBy(g => g.Key).Select(g => (g.Key.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), (long)g.Count(), g.Sum(r => (long)r.CompletionTokens)))],
            report.ByDay.Select(d => (d.Label, d.Requests, d.CompletionTokens)));
        Assert.Equal(
            inPeriod.GroupBy(r => r.UserId).Select(g => g.Sum(r => (long)r.PromptTokens + r.CompletionTokens)).OrderDescending(),
            report.ByPerson.Select(p => p.Tokens));

        // On-prem cost: 1 USD per busy hour (hand-set below), over the busy time of the period.
        Assert.Equal(Math.Round((decimal)inPeriod.Sum(r => r.Duration.TotalHours), 4), report.Total.OnPremCost);
        var frontier = report.CloudTiers.ToList().IndexOf("Frontier tier");
        Assert.Equal(Math.Round((inPeriod.Sum(r => (decimal)r.PromptTokens) * 10m + inPeriod.Sum(r => (decimal)r.CompletionTokens) * 50m) / 1_000_000m, 4), report.Total.CloudCosts[frontier]);

        foreach (var speed in report.Speeds)
        {
            var answered = inPeriod.Where(r => r.ModelEntryId == speed.ModelEntryId && r.CompletionTokens > 0 && r.Outcome == GenerationOutcome.Completed).ToList();
            Assert.Equal(answered.Count, speed.Answers);
            // Medians come from 5 % buckets: within 2.5 % of the exact median (plus the page's rounding to 0.1).
            var firstToken = MedianByHand(answered.Select(r => r.TimeToFirstToken.TotalMilliseconds));
            var tokensPerSecond = MedianByHand(answered.Select(r => r.TokensPerSecond));
            Assert.InRange(speed.MedianTimeToFirstTokenMs, (firstToken * 0.975) - 0.05, (firstToken * 1.025) + 0.05);
            Assert.InRange(speed.MedianTokensPerSecond, (tokensPerSecond * 0.975) - 0.05, (tokensPerSecond * 1.025) + 0.05);
        }

        // Rollups (fed in shuffled order) equal the raw records grouped now.
        await using var db = database.CreateContext(TenantScopes.For(a.Id));
        var raw = (await db.UsageRecords.AsNoTracking().ToListAsync(Ct))
            .GroupBy(r => (DateOnly.FromDateTime(r.CreatedAt.UtcDateTime), r.UserId, r.ModelEntryId, r.WorkspaceId ?? Guid.Empty, r.Node))
            .Select(g => (g.Key, (long)g.Count(), g.Sum(r => (long)r.PromptTokens), g.Sum(r => (long)r.CompletionTokens), g.Sum(r => r.Duration.Ticks)))
            .OrderBy(x => x.Key).ToList();
        var rollups = (await db.UsageDailyRollups.AsNoTracking().ToListAsync(Ct))
            .Select(r => ((r.Day, r.UserId, r.ModelEntryId, r.WorkspaceKey, r.Node), r.Requests, r.PromptTokens, r.CompletionTokens, r.BusyTicks))
            .OrderBy(x => x.Item1).ToList();
        Assert.Equal(raw, rollups);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ManagerOfA_SeesNothingOfB_InTheReportOrItsExport(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var (a, recordsOfA) = await SeedAsync(database, "Alpha", 30, seed: 1);
        var (b, _) = await SeedAsync(database, "Bravo", 30, seed: 2);

        var report = await ReportSeed.BuildAsync(database, new ReportScope(a.Id), First, First.AddDays(9));

        Assert.Equal(recordsOfA.Count, report.Total.Requests);
        Assert.Empty(report.ByTenant);
        var everything = string.Join("\n", ReportCsv.Tables.Where(t => t != "tenants").Select(t => ReportCsv.Write(report, t)));
        Assert.DoesNotContain("Bravo", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("Bravo", string.Join(",", report.ByPerson.Concat(report.ByModel).Concat(report.ByWorkspace).Select(r => r.Label)), StringComparison.Ordinal);

        // A platform admin's comparison has both, each with its own figures.
        var all = await ReportSeed.BuildAsync(database, new ReportScope((Guid?)null), First, First.AddDays(9));
        Assert.Contains(all.ByTenant, t => t.Label == a.Tenant.Name && t.Requests == recordsOfA.Count);
        Assert.Contains(all.ByTenant, t => t.Label == b.Tenant.Name);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task OnPremCost_PricesEachNodeWithItsProfile(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        string x = $"x-{Guid.NewGuid():N}", y = $"y-{Guid.NewGuid():N}", unmapped = $"z-{Guid.NewGuid():N}";
        var (a, records) = await SeedAsync(database, "Nodes", 60, seed: 11, x, y, unmapped);
        await using (var db = database.CreateContext(new TenantContext()))
        {
            // 17,532 over 1 year fully used: 2 an hour. 5 kW at 1 a kWh and nothing to amortise: 5 an hour.
            var two = new HardwareProfile { Name = $"Two {Guid.NewGuid():N}", HardwarePrice = 17_532m, LifetimeYears = 1, Utilisation = 1m };
            var five = new HardwareProfile { Name = $"Five {Guid.NewGuid():N}", LifetimeYears = 1, Utilisation = 1m, PowerWatts = 5_000m, ElectricityPricePerKwh = 1m };
            db.AddRange(two, five, new NodeHardwareProfile { Node = x, HardwareProfileId = two.Id }, new NodeHardwareProfile { Node = y, HardwareProfileId = five.Id });
            await db.SaveChangesAsync(Ct);
        }

        var report = await ReportSeed.BuildAsync(database, new ReportScope(a.Id), First, First.AddDays(9));

        var rate = new Dictionary<string, decimal> { [x] = 2m, [y] = 5m, [unmapped] = 1m }; // unmapped: the default's 1 an hour
        decimal CostOf(IEnumerable<UsageRecord> of) => of.Sum(r => (decimal)r.Duration.TotalHours * rate[r.Node]);
        Assert.Equal(3, records.Select(r => r.Node).Distinct().Count());
        Assert.Equal(Math.Round(CostOf(records), 4), report.Total.OnPremCost);
        Assert.Equal(
            records.GroupBy(r => DateOnly.FromDateTime(r.CreatedAt.UtcDateTime)).OrderBy(g => g.Key).Select(g => Math.Round(CostOf(g), 4)),
            report.ByDay.Select(d => d.OnPremCost));
    }

    [Fact]
    public async Task Csv_ParsesBackIntoTheNumbersThePageShows()
    {
        var database = await databases.GetAsync(DatabaseProvider.Sqlite);
        var (a, _) = await SeedAsync(database, "Csv", 40, seed: 3);
        var report = await ReportSeed.BuildAsync(database, new ReportScope(a.Id), First, First.AddDays(9));

        using var reader = CsvReader.FromText(ReportCsv.Write(report, "people"), null);
        var parsed = new List<(string, long, long, long, decimal)>();
        while (reader.Read())
        {
            parsed.Add((reader[0].ToString(), long.Parse(reader[1].ToString(), CultureInfo.InvariantCulture), long.Parse(reader[2].ToString(), CultureInfo.InvariantCulture),
                long.Parse(reader[3].ToString(), CultureInfo.InvariantCulture), decimal.Parse(reader[9].ToString(), CultureInfo.InvariantCulture)));
        }

        Assert.Equal(report.ByPerson.Select(p => (p.Label, p.Requests, p.PromptTokens, p.CompletionTokens, p.OnPremCost)), parsed);
        Assert.True(parsed.Count >= 2);
    }


    private static double MedianByHand(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return 0;
        }

        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>A tenant with three people, two models and two workspaces, and <paramref name="count"/> records over ten days, recorded in shuffled order.</summary>
    private static async Task<(SeededTenant Tenant, List<UsageRecord> Records)> SeedAsync(TestDatabase database, string name, int count, int seed, params string[] nodes)
    {
        nodes = nodes.Length == 0 ? ["local"] : nodes;
        var tenant = await SeededTenant.CreateAsync(database, name);
        var random = new Random(seed);
        var (people, models, workspaces) = await ReportSeed.CastAsync(database, tenant, name);

        var outcomes = new[] { GenerationOutcome.Completed, GenerationOutcome.Completed, GenerationOutcome.Completed, GenerationOutcome.Stopped, GenerationOutcome.Failed, GenerationOutcome.Refused, GenerationOutcome.RefusedByQuota };
        var records = Enumerable.Range(0, count).Select(_ =>
        {
            var outcome = outcomes[random.Next(outcomes.Length)];
            var produced = outcome is GenerationOutcome.Completed or GenerationOutcome.Stopped;
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
                Node = nodes[random.Next(nodes.Length)],
                CreatedAt = First.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddMinutes(random.Next(0, 10 * 24 * 60)),
            };
        }).ToList();

        await ReportSeed.RecordShuffledAsync(database, records, random);

        return (tenant, records);
    }
}
