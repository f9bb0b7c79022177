using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Data;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Migrations;

/// <summary>The migration to hardware profiles keeps the figures of the one cost-settings row, as the default profile.</summary>
public sealed class HardwareProfilesMigrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task TheOldCostSettingsRow_BecomesTheDefaultProfile(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, Ct);
        await using var db = database.CreateContext(new TenantContext());
        var migrations = db.Database.GetMigrations().ToList();
        var before = migrations[migrations.FindIndex(m => m.EndsWith("_WorkersApiInvitesProfiles", StringComparison.Ordinal)) - 1];
        await db.GetService<IMigrator>().MigrateAsync(before, Ct);
        var id = Guid.NewGuid();
        object key = provider == DatabaseProvider.Sqlite ? id.ToString().ToUpperInvariant() : id;
        await db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"CostSettings\" (\"Id\", \"Currency\", \"HardwarePrice\", \"LifetimeYears\", \"PowerWatts\", \"ElectricityPricePerKwh\", \"Utilisation\") VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6})",
            [key, "EUR", 12_345.67m, 4.5m, 450.5m, 0.287654m, 0.35m],
            Ct);

        await database.MigrateAsync(Ct);

        await using var reader = database.CreateContext(new TenantContext());
        var profile = await reader.HardwareProfiles.SingleAsync(Ct);
        Assert.Equal((id, "Default", true), (profile.Id, profile.Name, profile.IsDefault));
        Assert.Equal((12_345.67m, 4.5m, 450.5m, 0.287654m, 0.35m), (profile.HardwarePrice, profile.LifetimeYears, profile.PowerWatts, profile.ElectricityPricePerKwh, profile.Utilisation));
        Assert.Equal("EUR", (await reader.CostSettings.SingleAsync(Ct)).Currency);
    }
}
