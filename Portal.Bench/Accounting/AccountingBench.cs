using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Models;
using Portal.Domain.Quotas;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;
using Portal.Web.Accounting;

namespace Portal.Bench.Accounting;

internal enum BenchProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>
/// Section 4 of the accounting issue: seeds a year of usage records (bulk), with their rollups built as the
/// product builds them (checked against the product's code on a sample), then times each report query the
/// product runs over the rollups next to the same query over the raw records, and 200 concurrent quota
/// reserve/settle cycles.
/// Usage: accounting [--records N] [--provider sqlite|postgres] [--connection STRING] [--reuse] [--cache DIR]
/// </summary>
internal static class AccountingBench
{
    private static readonly DateOnly FirstDay = new(2025, 12, 1);
    private const int Days = 365;

    public static async Task RunAsync(string[] args, string cacheFolder)
    {
        var settings = Settings.Parse(args, cacheFolder);
        Console.WriteLine($"accounting bench: {settings.Records:N0} records over {Days} days, {settings.Provider}; machine: {Environment.ProcessorCount} cores, load {LoadAverage()}");
        var (connectionString, exists) = await DatabaseAsync(settings);
        using var host = ProductHost(settings.Provider, connectionString);
        var world = World(seed: 1, tenants: 5, peoplePerTenant: 40, workspacesPerTenant: 4, models: 6);
        if (!exists)
        {
            await SeedAsync(settings, connectionString, host, world);
        }
        else
        {
            Console.WriteLine("reusing the seeded database (--reuse)");
        }

        await ReportsAsync(settings.Provider, connectionString, world);
        await QuotaCyclesAsync(host, world);
    }

    private static async Task SeedAsync(Settings settings, string connectionString, IHost host, BenchWorld world)
    {
        var clock = Stopwatch.StartNew();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PortalDatabaseMigrator>().MigrateAsync(CancellationToken.None);
            await WriteWorldAsync(scope.ServiceProvider, world);
        }

        Console.WriteLine($"schema and {world.Tenants.Count} tenants, {world.Tenants.Sum(t => t.People.Count)} people, {world.Models.Count} models: {clock.Elapsed.TotalSeconds:F1} s");
        var rollups = new RollupBuilder();
        clock.Restart();
        var generator = new UsageGenerator(world, FirstDay, Days, seed: 2);
        var written = BulkLoader.Write(settings.Provider, connectionString, generator.Records(settings.Records), rollups,
            n => Console.WriteLine($"  {n:N0} records, {clock.Elapsed.TotalSeconds:F0} s"));
        var recordTime = clock.Elapsed;
        clock.Restart();
        BulkLoader.WriteRollups(settings.Provider, connectionString, rollups);
        Console.WriteLine($"seeded {written:N0} records in {recordTime.TotalSeconds:F1} s ({written / recordTime.TotalSeconds:N0}/s); "
            + $"{rollups.DailyCount:N0} daily rollups, {rollups.SpeedCount:N0} speed buckets, {rollups.TotalCount:N0} daily totals, {rollups.MonthlyPersonCount:N0} monthly person rows "
            + $"and {rollups.MonthlySpeedCount:N0} monthly speed buckets in {clock.Elapsed.TotalSeconds:F1} s");
        clock.Restart();
        if (settings.Provider == BenchProvider.PostgreSql)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var analyze = new NpgsqlCommand("ANALYZE", connection) { CommandTimeout = 0 };
            await analyze.ExecuteNonQueryAsync();
            Console.WriteLine($"ANALYZE {clock.Elapsed.TotalSeconds:F1} s");
        }

        await RollupCheck.RunAsync(host, World(seed: 3, tenants: 1, peoplePerTenant: 5, workspacesPerTenant: 2, models: 6) with { Models = world.Models }, FirstDay);
    }

    private static async Task ReportsAsync(BenchProvider provider, string connectionString, BenchWorld world)
    {
        var largest = world.Tenants[0].Id;
        var raw = new RawReports(provider, connectionString);
        DateTimeOffset from = new(FirstDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), to = from.AddDays(Days);
        var last = FirstDay.AddDays(Days - 1);
        var options = new DbContextOptionsBuilder<PortalDbContext>().UsePortalDatabase(provider == BenchProvider.Sqlite ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql, connectionString);
        var timer = new QueryTimer();
        options.AddInterceptors(timer);

        async Task<(UsageReport Report, TimeSpan Elapsed, Dictionary<string, TimeSpan> Queries)> ProductAsync(ReportScope scope, DateOnly first, DateOnly final)
        {
            var best = TimeSpan.MaxValue;
            UsageReport? report = null;
            Dictionary<string, TimeSpan> queries = [];
            for (var round = 0; round < 4; round++)
            {
                timer.Queries.Clear();
                var tenantContext = new TenantContext();
                await using var db = new PortalDbContext(options.Options, tenantContext);
                var clock = Stopwatch.StartNew();
                report = await new UsageReports(db, tenantContext).BuildAsync(scope, first, final, CancellationToken.None);
                var elapsed = clock.Elapsed;
                var these = timer.Queries.Select(q => (Label: QueryTimer.Label(q.Sql), q.Elapsed)).Where(q => q.Label is not null)
                    .GroupBy(q => q.Label!).ToDictionary(g => g.Key, g => g.Aggregate(TimeSpan.Zero, (sum, q) => sum + q.Elapsed));
                foreach (var (label, time) in these)
                {
                    queries[label] = round == 1 || !queries.TryGetValue(label, out var known) ? time : known < time ? known : time;
                }

                // Round 0 warms up (EF's model and query compilation); the best of the other three counts.
                if (round > 0 && elapsed < best)
                {
                    best = elapsed;
                }
            }

            return (report!, best, queries);
        }

        var tenantReport = await ProductAsync(new ReportScope(largest), FirstDay, last);
        var allReport = await ProductAsync(new ReportScope((Guid?)null), FirstDay, last);

        // Eleven months and a half, starting and ending mid-month: its edge days come from the daily per-person rows and daily speed buckets.
        DateOnly midFrom = FirstDay.AddDays(14), midTo = last.AddDays(-16);
        var tenantMid = await ProductAsync(new ReportScope(largest), midFrom, midTo);
        var allMid = await ProductAsync(new ReportScope((Guid?)null), midFrom, midTo);
        var costs = await CostsAsync(options.Options);

        Console.WriteLine();
        Console.WriteLine($"a year's report ({FirstDay:yyyy-MM-dd} to {last:yyyy-MM-dd}); product = rollups (best of 3 after a warm-up), raw = the same query over the records (one run)");
        Console.WriteLine($"{"query",-34} {"product ms",11} {"raw ms",11} {"raw/product",12}  figures");
        async Task Compare<T>(string label, string productLabel, (UsageReport Report, TimeSpan Elapsed, Dictionary<string, TimeSpan> Queries) product, Func<Task<T>> rawQuery, Func<T, bool> same)
        {
            var clock = Stopwatch.StartNew();
            var result = await rawQuery();
            var rawTime = clock.Elapsed;
            var productTime = product.Queries.GetValueOrDefault(productLabel);
            Console.WriteLine($"{label,-34} {productTime.TotalMilliseconds,11:F1} {rawTime.TotalMilliseconds,11:F1} {rawTime.TotalMilliseconds / Math.Max(productTime.TotalMilliseconds, 0.001),12:F0}x  {(same(result) ? "equal" : "DIFFER")}");
        }

        var t = tenantReport.Report;
        await Compare("tenant: by day", "by day", tenantReport, () => raw.ByDayAsync(largest, from, to), r => SameRows(t.ByDay.Count, t.Total, r, costs));
        await Compare("tenant: by person (= top users)", "by person", tenantReport, () => raw.ByPersonAsync(largest, from, to), r => SameRows(t.ByPerson.Count, t.Total, r, costs));
        await Compare("tenant: top 10 users (raw: LIMIT 10)", "by person", tenantReport, () => raw.TopUsersAsync(largest, from, to),
            r => r.GroupBy(g => g.Key).Select(g => g.Sum(x => x.PromptTokens + x.CompletionTokens)).Take(1).SequenceEqual(t.ByPerson.Take(1).Select(p => p.Tokens)));
        await Compare("tenant: by model", "by model", tenantReport, () => raw.ByModelAsync(largest, from, to), r => SameRows(t.ByModel.Count, t.Total, r, costs));
        await Compare("tenant: by workspace", "by workspace", tenantReport, () => raw.ByWorkspaceAsync(largest, from, to), r => SameRows(t.ByWorkspace.Count, t.Total, r, costs));
        await Compare("tenant: refusal and failure rates", "by day", tenantReport, () => raw.RatesAsync(largest, from, to),
            r => r.Sum(g => g.Refused) == t.Total.Refused && r.Sum(g => g.Failed) == t.Total.Failed);
        await Compare("tenant: active people", "by person", tenantReport, () => raw.ActivePeopleAsync(largest, from, to), r => r == t.ActivePeople);
        await Compare("tenant: medians per model", "medians per model", tenantReport, () => raw.MediansAsync(largest, from, to), r => CloseMedians(r, t.Speeds));
        var a = allReport.Report;
        await Compare("all tenants: by tenant", "by day", allReport, () => raw.ByTenantAsync(from, to), r => SameRows(a.ByTenant.Count, a.Total, r, costs));
        await Compare("all tenants: by day", "by day", allReport, () => raw.ByDayAsync(null, from, to), r => SameRows(a.ByDay.Count, a.Total, r, costs));
        await Compare("all tenants: medians per model", "medians per model", allReport, () => raw.MediansAsync(null, from, to), r => CloseMedians(r, a.Speeds));
        Console.WriteLine($"{"whole report, one tenant (page)",-34} {tenantReport.Elapsed.TotalMilliseconds,11:F1}");
        Console.WriteLine($"{"whole report, all tenants (page)",-34} {allReport.Elapsed.TotalMilliseconds,11:F1}");
        Console.WriteLine($"{"mid-month period, one tenant (page)",-34} {tenantMid.Elapsed.TotalMilliseconds,11:F1}   ({midFrom:yyyy-MM-dd} to {midTo:yyyy-MM-dd}; by person {tenantMid.Queries.GetValueOrDefault("by person").TotalMilliseconds:F1} ms, medians {tenantMid.Queries.GetValueOrDefault("medians per model").TotalMilliseconds:F1} ms)");
        Console.WriteLine($"{"mid-month period, all tenants (page)",-34} {allMid.Elapsed.TotalMilliseconds,11:F1}   (by person {allMid.Queries.GetValueOrDefault("by person").TotalMilliseconds:F1} ms, medians {allMid.Queries.GetValueOrDefault("medians per model").TotalMilliseconds:F1} ms)");
        Console.WriteLine($"every query of the pages (ms, best round): one tenant: {Breakdown(tenantReport.Queries)}; all tenants: {Breakdown(allReport.Queries)}");
        Console.WriteLine($"(product ms of a row = the rollup queries that serve it; rates and tenants come from the by-day sums, active people from the by-person rows; medians from 5 % buckets, within 2.5 %)");
    }

    private static string Breakdown(Dictionary<string, TimeSpan> queries) =>
        string.Join(", ", queries.OrderByDescending(q => q.Value).Select(q => $"{q.Key} {q.Value.TotalMilliseconds:F1}"));

    /// <summary>Whether raw groups give the same number of rows and the same totals (requests, tokens, cost to 4 places) as the report.</summary>
    private static bool SameRows(int rows, ReportRow total, List<RawGroup> raw, HardwareCosts costs) =>
        raw.Select(g => g.Key).Distinct().Count() == rows
        && raw.Sum(g => g.Requests) == total.Requests
        && raw.Sum(g => g.PromptTokens) == total.PromptTokens
        && raw.Sum(g => g.CompletionTokens) == total.CompletionTokens
        && Math.Round(raw.Sum(g => costs.Of(g.Node, TimeSpan.FromTicks(g.BusyTicks))), 4) == total.OnPremCost;

    private static bool CloseMedians(Dictionary<string, (long Answers, double FirstTokenMs, double TokensPerSecond)> raw, IReadOnlyList<ModelSpeed> speeds) =>
        raw.Count == speeds.Count && speeds.All(s =>
            raw.TryGetValue(s.ModelEntryId.ToString().ToUpperInvariant(), out var exact)
            && exact.Answers == s.Answers
            && Math.Abs(s.MedianTimeToFirstTokenMs - exact.FirstTokenMs) <= (exact.FirstTokenMs * 0.025) + 0.05
            && Math.Abs(s.MedianTokensPerSecond - exact.TokensPerSecond) <= (exact.TokensPerSecond * 0.025) + 0.05);

    private static async Task<HardwareCosts> CostsAsync(DbContextOptions<PortalDbContext> options)
    {
        await using var db = new PortalDbContext(options, new TenantContext());
        return await HardwareCosts.LoadAsync(db, CancellationToken.None);
    }

    /// <summary>200 reserve/settle cycles at once against one tenant's quota, as 200 simultaneous generations would run them.</summary>
    private static async Task QuotaCyclesAsync(IHost host, BenchWorld world)
    {
        var ledger = host.Services.GetRequiredService<QuotaLedger>();
        var tenant = world.Tenants[1];
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var tenantContext = scope.ServiceProvider.GetRequiredService<ITenantContext>();
            tenantContext.SetTenant(tenant.Id);
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            await db.QuotaCounters.ExecuteDeleteAsync();
            if (!await db.Quotas.AnyAsync(q => q.UserId == null))
            {
                db.Quotas.Add(new Quota { TenantId = tenant.Id, TokensPerDay = 1_000_000_000, TokensPerMonth = 10_000_000_000 });
                await db.SaveChangesAsync();
            }
        }

        Console.WriteLine();
        for (var round = 1; round <= 2; round++)
        {
            var latencies = new double[200];
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            {
                var start = Stopwatch.GetTimestamp();
                var ticket = await ledger.ReserveAsync(tenant.Id, tenant.People[i % tenant.People.Count], 100, 400, CancellationToken.None);
                await using var scope = host.Services.CreateAsyncScope();
                scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenant.Id);
                var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
                await using var transaction = await db.Database.BeginTransactionAsync();
                await ledger.SettleAsync(db, ticket, 150, CancellationToken.None);
                await transaction.CommitAsync();
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            })));
            var wall = clock.Elapsed;
            Array.Sort(latencies);
            var standing = await ledger.StandingAsync(tenant.Id, tenant.People[0], CancellationToken.None);
            var day = standing.FirstOrDefault(s => s.Limit.Kind == QuotaKind.TokensPerDay && s.Limit.IsTenantWide);
            Console.WriteLine($"quota: 200 concurrent reserve/settle cycles, round {round}: {wall.TotalMilliseconds:F0} ms wall; per cycle median {latencies[100]:F0} ms, p95 {latencies[190]:F0} ms; "
                + $"tenant's tokens today {day?.Used:N0} (expected {200 * 150 * round:N0})");
        }
    }

    private static IHost ProductHost(BenchProvider provider, string connectionString)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = Directory.CreateTempSubdirectory("portal-accounting-bench-").FullName,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider == BenchProvider.Sqlite ? "Sqlite" : "PostgreSql",
            ["ConnectionStrings:Portal"] = connectionString,
        });
        builder.AddPortalData();
        builder.AddPortalAccounting();
        return builder.Build();
    }

    /// <summary>A fresh database (or, with --reuse, the one a previous run seeded): a SQLite file in the cache folder, or a PostgreSQL database on the given server.</summary>
    private static async Task<(string ConnectionString, bool Exists)> DatabaseAsync(Settings settings)
    {
        var name = $"accounting_bench_{settings.Records}";
        if (settings.Provider == BenchProvider.Sqlite)
        {
            Directory.CreateDirectory(settings.Cache);
            var file = Path.Combine(settings.Cache, name + ".db");
            var exists = settings.Reuse && File.Exists(file);
            if (!exists)
            {
                foreach (var old in Directory.GetFiles(settings.Cache, name + ".db*"))
                {
                    File.Delete(old);
                }
            }

            return ($"Data Source={file};Pooling=True", exists);
        }

        var server = new NpgsqlConnectionStringBuilder(settings.Connection ?? Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES")
            ?? throw new InvalidOperationException("PostgreSQL needs --connection or PORTAL_TEST_POSTGRES (export \"$(infra/scripts/postgres-test-cluster.sh start)\")."));
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var check = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{name}'", connection);
            var found = await check.ExecuteScalarAsync() is not null;
            if (found && settings.Reuse)
            {
                return (new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, MaxPoolSize = 60, CommandTimeout = 0 }.ConnectionString, true);
            }

            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return (new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, MaxPoolSize = 60, CommandTimeout = 0 }.ConnectionString, false);
    }

    /// <summary>Tenants, people and workspaces with ids from a seeded random, so a reused database matches.</summary>
    internal static BenchWorld World(int seed, int tenants, int peoplePerTenant, int workspacesPerTenant, int models)
    {
        var random = new Random(seed);
        Guid Next()
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }

        double[] shares = [0.35, 0.25, 0.2, 0.12, 0.08];
        return new BenchWorld(
            [.. Enumerable.Range(0, tenants).Select(t => new BenchTenant(Next(), shares[t % shares.Length], [.. Enumerable.Range(0, peoplePerTenant).Select(_ => Next())], [.. Enumerable.Range(0, workspacesPerTenant).Select(_ => Next())]))],
            [.. Enumerable.Range(0, models).Select(_ => Next())],
            ["local", "gpu-a", "gpu-b"]);
    }

    /// <summary>Writes the world's tenants, people, memberships, workspaces, models and the cost model (one profile per node).</summary>
    internal static async Task WriteWorldAsync(IServiceProvider services, BenchWorld world)
    {
        var tenantContext = services.GetRequiredService<ITenantContext>();
        var db = services.GetRequiredService<PortalDbContext>();
        using var platform = tenantContext.BeginPlatformScope();
        var at = DateTimeOffset.UnixEpoch;
        foreach (var (tenant, t) in world.Tenants.Select((tenant, t) => (tenant, t)))
        {
            var slug = $"bench-{tenant.Id:N}"[..20];
            db.Tenants.Add(new Tenant { Id = tenant.Id, Name = $"Tenant {t + 1}", Slug = slug, CreatedAt = at });
            foreach (var (person, p) in tenant.People.Select((person, p) => (person, p)))
            {
                db.PortalUsers.Add(new User { Id = person, DisplayName = $"Person {t + 1}.{p + 1}", Email = $"p{p + 1}@{slug}.test", CreatedAt = at });
                db.Memberships.Add(new Membership { TenantId = tenant.Id, UserId = person, CreatedAt = at });
            }

            foreach (var (workspace, w) in tenant.Workspaces.Select((workspace, w) => (workspace, w)))
            {
                db.Workspaces.Add(new Workspace { Id = workspace, TenantId = tenant.Id, Name = $"Workspace {t + 1}.{w + 1}", CreatedAt = at });
            }
        }

        if (!await db.ModelEntries.AnyAsync(m => m.Id == world.Models[0]))
        {
            foreach (var (model, m) in world.Models.Select((model, m) => (model, m)))
            {
                db.ModelEntries.Add(new ModelEntry { Id = model, Name = $"Model {m + 1}", FileName = $"model-{m + 1}.gguf", Sha256 = model.ToString("N") });
            }

            var workstation = new HardwareProfile { Name = "Workstation", IsDefault = true, HardwarePrice = 6_000m, LifetimeYears = 4, Utilisation = 0.3m, PowerWatts = 450m, ElectricityPricePerKwh = 0.30m };
            var serverA = new HardwareProfile { Name = "GPU server A", HardwarePrice = 40_000m, LifetimeYears = 5, Utilisation = 0.6m, PowerWatts = 1_400m, ElectricityPricePerKwh = 0.25m };
            var serverB = new HardwareProfile { Name = "GPU server B", HardwarePrice = 250_000m, LifetimeYears = 5, Utilisation = 0.7m, PowerWatts = 6_500m, ElectricityPricePerKwh = 0.25m };
            db.HardwareProfiles.AddRange(workstation, serverA, serverB);
            db.NodeHardwareProfiles.AddRange(new NodeHardwareProfile { Node = "gpu-a", HardwareProfileId = serverA.Id }, new NodeHardwareProfile { Node = "gpu-b", HardwareProfileId = serverB.Id });
        }

        await db.SaveChangesAsync();
    }

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private sealed record Settings(long Records, BenchProvider Provider, string? Connection, bool Reuse, string Cache)
    {
        public static Settings Parse(string[] args, string cache)
        {
            var settings = new Settings(1_000_000, BenchProvider.Sqlite, null, false, cache);
            for (var i = 0; i < args.Length; i++)
            {
                settings = args[i] switch
                {
                    "--records" => settings with { Records = long.Parse(args[++i], CultureInfo.InvariantCulture) },
                    "--provider" => settings with
                    {
                        Provider = args[++i] switch
                        {
                            "sqlite" => BenchProvider.Sqlite,
                            "postgres" or "postgresql" => BenchProvider.PostgreSql,
                            var other => throw new ArgumentException($"Unknown provider “{other}”: sqlite or postgres."),
                        },
                    },
                    "--connection" => settings with { Connection = args[++i] },
                    "--reuse" => settings with { Reuse = true },
                    "--cache" => settings with { Cache = args[++i] },
                    var other => throw new ArgumentException($"Unknown option “{other}”. Usage: accounting [--records N] [--provider sqlite|postgres] [--connection STRING] [--reuse] [--cache DIR]"),
                };
            }

            return settings;
        }
    }
}
