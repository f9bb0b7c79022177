using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Portal.Data;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Migrations;

public sealed class MigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Migrate_EmptyDatabase_AppliesEveryMigrationAndCreatesEveryTable(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, Ct);
        await using var db = database.CreateContext(new TenantContext());
        var all = db.Database.GetMigrations().ToList();
        Assert.NotEmpty(all);

        await database.MigrateAsync(Ct);

        Assert.Equal(all, await db.Database.GetAppliedMigrationsAsync(Ct));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));

        // Every mapped table answers a query, Identity's included, holding only the model's seed rows (the cloud reference prices).
        var designModel = db.GetService<IDesignTimeModel>().Model;
        foreach (var table in designModel.GetEntityTypes().GroupBy(e => e.GetTableName()!))
        {
            // Table names come from the model, not from input. Double quotes delimit identifiers on SQLite and PostgreSQL.
            var sql = "SELECT COUNT(*) AS \"Value\" FROM \"" + table.Key + "\"";
            var count = await db.Database.SqlQueryRaw<long>(sql).SingleAsync(Ct);
            Assert.Equal(table.Sum(e => (long)e.GetSeedData().Count()), count);
        }
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Migrate_SecondRun_FindsNothingToApply(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, Ct);
        await database.MigrateAsync(Ct);

        await database.MigrateAsync(Ct);

        await using var db = database.CreateContext(new TenantContext());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.SqlServer)]
    [InlineData(DatabaseProvider.PostgreSql)]
    public void Model_MatchesLatestMigrationSnapshot_ForEveryProvider(DatabaseProvider provider)
    {
        // No connection is opened: the model is compared with the provider's migrations snapshot.
        var options = new DbContextOptionsBuilder<PortalDbContext>()
            .UsePortalDatabase(provider, PlaceholderConnectionString(provider))
            .Options;
        using var db = new PortalDbContext(options, new TenantContext());

        Assert.False(
            db.Database.HasPendingModelChanges(),
            $"The model has changes with no {provider} migration: run infra/scripts/add-migration.sh <Name>.");
    }

    private static string PlaceholderConnectionString(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "Data Source=unused.db",
        DatabaseProvider.SqlServer => "Server=unused;Database=unused;TrustServerCertificate=True",
        _ => "Host=unused;Database=unused",
    };
}
