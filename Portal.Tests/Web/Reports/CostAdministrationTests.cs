using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Domain.Usage;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Accounting;
using Portal.Web.Admin;
using Portal.Web.Audit;

namespace Portal.Tests.Web.Reports;

public sealed class CostAdministrationTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static readonly AdminActor PlatformAdmin = new(Guid.NewGuid(), true, null, false);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ReferenceTiers_AreSeeded_AndAPlatformAdminsChangesAreAudited(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        await using var db = database.CreateContext(new TenantContext());
        var costs = new CostAdministration(db, new AuditLog(new FakeTimeProvider()));

        var (_, prices) = await costs.GetAsync(PlatformAdmin, Ct);
        Assert.Contains(prices, p => (p.Name, p.InputPerMillionTokens, p.OutputPerMillionTokens) == ("Frontier tier", 10m, 50m));
        Assert.Contains(prices, p => (p.Name, p.InputPerMillionTokens, p.OutputPerMillionTokens) == ("Open-weight API tier", 0.43m, 0.87m));

        await costs.SaveSettingsAsync(PlatformAdmin, new CostSettings { Currency = "EUR", HardwarePrice = 8_766m, LifetimeYears = 1, Utilisation = 0.5m, PowerWatts = 1_000m, ElectricityPricePerKwh = 0.25m }, Ct);
        await costs.SavePriceAsync(PlatformAdmin, "Frontier tier", 12m, 60m, Ct);

        var (settings, changed) = await costs.GetAsync(PlatformAdmin, Ct);
        Assert.Equal(2.25m, CostModel.PerBusyHour(settings)); // 8,766 over 4,383 busy hours = 2, plus 1 kW × 0.25
        Assert.Equal("EUR", settings.Currency);
        Assert.Contains(changed, p => (p.Name, p.InputPerMillionTokens) == ("Frontier tier", 12m));
        var audit = await db.AuditEvents.Where(a => a.ActorUserId == PlatformAdmin.UserId).Select(a => a.Action).ToListAsync(Ct);
        Assert.Equal(["cost.changed", "cloud_price.changed"], audit.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task TenantAdmin_MayNotChangeCosts_AndNonsenseIsRefusedWithAReason()
    {
        var database = await databases.GetAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext(new TenantContext());
        var costs = new CostAdministration(db, new AuditLog(new FakeTimeProvider()));
        var tenantAdmin = new AdminActor(Guid.NewGuid(), false, Guid.NewGuid(), true);

        var forbidden = await Assert.ThrowsAsync<AdminException>(() => costs.SaveSettingsAsync(tenantAdmin, new CostSettings(), Ct));
        var invalid = await Assert.ThrowsAsync<AdminException>(() => costs.SaveSettingsAsync(PlatformAdmin, new CostSettings { Utilisation = 30m }, Ct));

        Assert.Equal("Only platform administrators may do this.", forbidden.Message);
        Assert.Equal("The lifetime must be above zero years, and the utilisation between 0 and 1 (0.3 is 30 %).", invalid.Message);
    }
}
