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
        var costs = new CostAdministration(db, new TenantContext(), new AuditLog(new FakeTimeProvider()));
        var admin = new AdminActor(Guid.NewGuid(), true, null, false);

        var prices = (await costs.GetAsync(admin, Ct)).Prices;
        Assert.Contains(prices, p => (p.Name, p.InputPerMillionTokens, p.OutputPerMillionTokens) == ("Frontier tier", 10m, 50m));
        Assert.Contains(prices, p => (p.Name, p.InputPerMillionTokens, p.OutputPerMillionTokens) == ("Open-weight API tier", 0.43m, 0.87m));

        await costs.SaveCurrencyAsync(admin, "eur", Ct);
        var name = $"Rack {Guid.NewGuid():N}";
        var saved = await costs.SaveProfileAsync(admin, new HardwareProfile { Name = name, HardwarePrice = 8_766m, LifetimeYears = 1, Utilisation = 0.5m, PowerWatts = 1_000m, ElectricityPricePerKwh = 0.25m }, Ct);
        var node = $"node-{Guid.NewGuid():N}";
        await costs.MapNodeAsync(admin, node, saved.Id, Ct);
        await costs.SavePriceAsync(admin, "Frontier tier", 12m, 60m, Ct);

        var overview = await costs.GetAsync(admin, Ct);
        var profile = Assert.Single(overview.Profiles, p => p.Name == name);
        Assert.Equal(2.25m, CostModel.PerBusyHour(profile)); // 8,766 over 4,383 busy hours = 2, plus 1 kW × 0.25
        Assert.Equal("EUR", overview.Currency);
        Assert.Contains(new NodeProfile(node, saved.Id), overview.Nodes);
        Assert.Contains(overview.Prices, p => (p.Name, p.InputPerMillionTokens) == ("Frontier tier", 12m));
        var audit = await db.AuditEvents.Where(a => a.ActorUserId == admin.UserId).Select(a => a.Action).ToListAsync(Ct);
        Assert.Equal(["cloud_price.changed", "cost.currency_changed", "hardware_profile.changed", "hardware_profile.node_mapped"], audit.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ProfileChanges_AreAuditedWithBeforeAndAfter_AndTheDefaultMovesToTheNewDefault(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        await using var db = database.CreateContext(new TenantContext());
        var costs = new CostAdministration(db, new TenantContext(), new AuditLog(new FakeTimeProvider()));
        var admin = new AdminActor(Guid.NewGuid(), true, null, false);
        var first = await costs.SaveProfileAsync(admin, new HardwareProfile { Name = $"A {Guid.NewGuid():N}", HardwarePrice = 1_000m, LifetimeYears = 2, Utilisation = 0.5m }, Ct);
        var second = await costs.SaveProfileAsync(admin, new HardwareProfile { Name = $"B {Guid.NewGuid():N}", HardwarePrice = 2_000m, LifetimeYears = 2, Utilisation = 0.5m, IsDefault = true }, Ct);

        await costs.SaveProfileAsync(admin, new HardwareProfile { Id = first.Id, Name = first.Name, HardwarePrice = 1_500m, LifetimeYears = 3, Utilisation = 0.4m }, Ct);
        var refusedDefault = await Assert.ThrowsAsync<AdminException>(() => costs.DeleteProfileAsync(admin, second.Id, Ct));
        await costs.DeleteProfileAsync(admin, first.Id, Ct);

        var profiles = await db.HardwareProfiles.AsNoTracking().ToListAsync(Ct);
        Assert.Equal(second.Id, Assert.Single(profiles, p => p.IsDefault).Id);
        Assert.DoesNotContain(profiles, p => p.Id == first.Id);
        Assert.Equal($"“{second.Name}” is the default profile: make another profile the default first.", refusedDefault.Message);
        var change = await db.AuditEvents.Where(a => a.ActorUserId == admin.UserId && a.Action == "hardware_profile.changed").OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal(3, change.Count);
        Assert.Contains("\"hardwarePrice\":1000", change[2].Before, StringComparison.Ordinal);
        Assert.Contains("\"hardwarePrice\":1500", change[2].After, StringComparison.Ordinal);
        Assert.Single(await db.AuditEvents.Where(a => a.ActorUserId == admin.UserId && a.Action == "hardware_profile.deleted").ToListAsync(Ct));
    }

    [Fact]
    public async Task TenantAdmin_MayNotChangeCosts_AndNonsenseIsRefusedWithAReason()
    {
        var database = await databases.GetAsync(DatabaseProvider.Sqlite);
        await using var db = database.CreateContext(new TenantContext());
        var costs = new CostAdministration(db, new TenantContext(), new AuditLog(new FakeTimeProvider()));
        var tenantAdmin = new AdminActor(Guid.NewGuid(), false, Guid.NewGuid(), true);
        var mapped = await costs.SaveProfileAsync(PlatformAdmin, new HardwareProfile { Name = $"Mapped {Guid.NewGuid():N}", LifetimeYears = 1, Utilisation = 1m }, Ct);
        await costs.MapNodeAsync(PlatformAdmin, "gpu-mapped", mapped.Id, Ct);

        var forbidden = await Assert.ThrowsAsync<AdminException>(() => costs.SaveProfileAsync(tenantAdmin, new HardwareProfile { Name = "Mine" }, Ct));
        var forbiddenMapping = await Assert.ThrowsAsync<AdminException>(() => costs.MapNodeAsync(tenantAdmin, "local", null, Ct));
        var invalid = await Assert.ThrowsAsync<AdminException>(() => costs.SaveProfileAsync(PlatformAdmin, new HardwareProfile { Name = "Odd", Utilisation = 30m }, Ct));
        var nameless = await Assert.ThrowsAsync<AdminException>(() => costs.SaveProfileAsync(PlatformAdmin, new HardwareProfile { Name = " " }, Ct));
        var inUse = await Assert.ThrowsAsync<AdminException>(() => costs.DeleteProfileAsync(PlatformAdmin, mapped.Id, Ct));
        var badCurrency = await Assert.ThrowsAsync<AdminException>(() => costs.SaveCurrencyAsync(PlatformAdmin, "euro", Ct));

        Assert.Equal("Only platform administrators may do this.", forbidden.Message);
        Assert.Equal("Only platform administrators may do this.", forbiddenMapping.Message);
        Assert.Equal("The lifetime must be above zero years, and the utilisation between 0 and 1 (0.3 is 30 %).", invalid.Message);
        Assert.Equal("A hardware profile needs a name (up to 200 characters).", nameless.Message);
        Assert.Equal($"“{mapped.Name}” prices the nodes gpu-mapped: map them to another profile first.", inUse.Message);
        Assert.Equal("The currency is a three-letter code such as USD or EUR.", badCurrency.Message);
    }
}
