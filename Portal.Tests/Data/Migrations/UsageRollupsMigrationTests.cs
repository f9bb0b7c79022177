using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Domain.Usage;
using Portal.Tests.Data.Infrastructure;
using Portal.Tests.Web.Quotas;

namespace Portal.Tests.Data.Migrations;

/// <summary>The migration that adds the coarse rollups fills them from the daily rollups an existing database holds.</summary>
public sealed class UsageRollupsMigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ExistingDailyRollups_FillTheDailyTotalsAndMonthlyRollups(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, Ct);
        await using (var db = database.CreateContext(new TenantContext()))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var before = migrations[migrations.FindIndex(m => m.EndsWith("_RollupsSchema", StringComparison.Ordinal)) - 1];
            await db.GetService<IMigrator>().MigrateAsync(before, Ct);
        }

        // The tables below are the same before and after the migration, so the current model writes them.
        var tenant = await SeededTenant.CreateAsync(database, "Backfill");
        Guid ann = Guid.NewGuid(), bob = Guid.NewGuid(), model = Guid.NewGuid(), workspace = Guid.NewGuid();
        var daily = new List<UsageDailyRollup>
        {
            Daily(tenant.Id, new(2026, 10, 30), ann, model, workspace, "local", requests: 3, tokens: 100),
            Daily(tenant.Id, new(2026, 10, 30), bob, model, workspace, "local", requests: 2, tokens: 40),
            Daily(tenant.Id, new(2026, 10, 31), ann, model, Guid.Empty, "gpu-1", requests: 5, tokens: 7),
            Daily(tenant.Id, new(2026, 11, 1), ann, model, workspace, "local", requests: 1, tokens: 9),
            Daily(tenant.Id, new(2026, 11, 1), bob, model, workspace, "local", requests: 4, tokens: 11),
        };
        var speeds = new List<UsageSpeedRollup>
        {
            new() { TenantId = tenant.Id, Day = new(2026, 10, 30), ModelEntryId = model, Measure = SpeedMeasure.TokensPerSecond, Bucket = 70, Answers = 2 },
            new() { TenantId = tenant.Id, Day = new(2026, 10, 31), ModelEntryId = model, Measure = SpeedMeasure.TokensPerSecond, Bucket = 70, Answers = 3 },
            new() { TenantId = tenant.Id, Day = new(2026, 11, 2), ModelEntryId = model, Measure = SpeedMeasure.TokensPerSecond, Bucket = 70, Answers = 4 },
            new() { TenantId = tenant.Id, Day = new(2026, 11, 2), ModelEntryId = model, Measure = SpeedMeasure.TimeToFirstTokenMs, Bucket = 120, Answers = 5 },
        };
        await using (var db = database.CreateContext(TenantScopes.For(tenant.Id)))
        {
            db.AddRange(daily);
            db.AddRange(speeds);
            await db.SaveChangesAsync(Ct);
        }

        await database.MigrateAsync(Ct);

        await using var reader = database.CreateContext(TenantScopes.For(tenant.Id));
        Assert.Equal(
            [(new DateOnly(2026, 10, 30), workspace, "local", 5L, 140L), (new DateOnly(2026, 10, 31), Guid.Empty, "gpu-1", 5L, 7L), (new DateOnly(2026, 11, 1), workspace, "local", 5L, 20L)],
            (await reader.UsageDailyTotals.AsNoTracking().ToListAsync(Ct)).Select(t => (t.Day, t.WorkspaceKey, t.Node, t.Requests, t.PromptTokens)).Order());
        Assert.All(await reader.UsageDailyTotals.AsNoTracking().ToListAsync(Ct), t => Assert.Equal((model, t.PromptTokens * 2, t.Requests * 10), (t.ModelEntryId, t.CompletionTokens, t.BusyTicks)));
        Assert.Equal(
            [.. new[] { (new DateOnly(2026, 10, 1), ann, "gpu-1", 5L, 7L), (new DateOnly(2026, 10, 1), ann, "local", 3L, 100L), (new DateOnly(2026, 10, 1), bob, "local", 2L, 40L), (new DateOnly(2026, 11, 1), ann, "local", 1L, 9L), (new DateOnly(2026, 11, 1), bob, "local", 4L, 11L) }.Order()],
            (await reader.UsageMonthlyPersonRollups.AsNoTracking().ToListAsync(Ct)).Select(m => (m.Month, m.UserId, m.Node, m.Requests, m.PromptTokens)).Order());
        Assert.Equal(
            [.. new[] { (new DateOnly(2026, 10, 1), SpeedMeasure.TokensPerSecond, 70, 5L), (new DateOnly(2026, 11, 1), SpeedMeasure.TimeToFirstTokenMs, 120, 5L), (new DateOnly(2026, 11, 1), SpeedMeasure.TokensPerSecond, 70, 4L) }.Order()],
            (await reader.UsageMonthlySpeedRollups.AsNoTracking().ToListAsync(Ct)).Select(m => (m.Month, m.Measure, m.Bucket, m.Answers)).Order());

        // The filled rows are ordinary rows: the next record's upsert raises them instead of adding a second row for the key.
        using (var instance = new AccountingInstance(database, new FakeTimeProvider()))
        {
            await instance.Usage.RecordAsync(
                new UsageRecord { TenantId = tenant.Id, UserId = bob, ModelEntryId = model, WorkspaceId = workspace, PromptTokens = 1000, Outcome = GenerationOutcome.Refused, CreatedAt = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero) },
                Ct);
        }

        await using var after = database.CreateContext(TenantScopes.For(tenant.Id));
        var months = await after.UsageMonthlyPersonRollups.AsNoTracking().ToListAsync(Ct);
        Assert.Equal((5, 5L, 1011L), (months.Count, months.Single(m => m.UserId == bob && m.Month == new DateOnly(2026, 11, 1)).Requests, months.Single(m => m.UserId == bob && m.Month == new DateOnly(2026, 11, 1)).PromptTokens));
        var totals = await after.UsageDailyTotals.AsNoTracking().ToListAsync(Ct);
        Assert.Equal((3, 6L, 1020L), (totals.Count, totals.Single(t => t.Day == new DateOnly(2026, 11, 1)).Requests, totals.Single(t => t.Day == new DateOnly(2026, 11, 1)).PromptTokens));
    }

    private static UsageDailyRollup Daily(Guid tenant, DateOnly day, Guid user, Guid model, Guid workspace, string node, long requests, long tokens) => new()
    {
        TenantId = tenant, Day = day, UserId = user, ModelEntryId = model, WorkspaceKey = workspace, Node = node,
        Requests = requests, Completed = requests, PromptTokens = tokens, CompletionTokens = tokens * 2, BusyTicks = requests * 10,
    };
}
