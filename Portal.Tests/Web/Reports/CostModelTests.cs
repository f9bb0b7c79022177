using Portal.Domain.Usage;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Reports;

public sealed class CostModelTests
{
    // 10,000 over 4 years at 50 % utilisation: 4 × 8766 × 0.5 = 17,532 busy hours → 0.570386 an hour;
    // 500 W at 0.30 a kWh → 0.15 an hour; together 0.720386 an hour of generation.
    private static readonly HardwareProfile Workstation = new() { Name = "Workstation", HardwarePrice = 10_000m, LifetimeYears = 4, Utilisation = 0.5m, PowerWatts = 500m, ElectricityPricePerKwh = 0.30m };

    [Fact]
    public void BusyHour_IsAmortisationOverBusyLifetimePlusPower() =>
        Assert.Equal(0.720386m, Math.Round(CostModel.PerBusyHour(Workstation), 6));

    [Fact]
    public void ThirtySixMinutesBusy_AndItsPricePerMillionTokens()
    {
        var cost = CostModel.Of(Workstation, TimeSpan.FromMinutes(36));

        Assert.Equal(0.432231m, Math.Round(cost, 6)); // 0.6 h × 0.7203856
        Assert.Equal(432.231m, Math.Round(CostModel.PerMillionTokens(cost, 1_000)!.Value, 3));
        Assert.Null(CostModel.PerMillionTokens(cost, 0));
    }

    [Fact]
    public void LowerUtilisation_SpreadsThePriceOverFewerHours()
    {
        var idle = new HardwareProfile { Name = "Idle", HardwarePrice = 8_766m, LifetimeYears = 1, Utilisation = 0.25m, PowerWatts = 0m };

        Assert.Equal(4m, CostModel.PerBusyHour(idle)); // 8,766 over 2,191.5 busy hours
    }

    // 30,000 over 5 years at 60 %: 5 × 8766 × 0.6 = 26,298 busy hours → 1.140771 an hour;
    // 1,200 W at 0.25 a kWh → 0.30 an hour; together 1.440771 an hour.
    private static readonly HardwareProfile GpuServer = new() { Name = "GPU server", HardwarePrice = 30_000m, LifetimeYears = 5, Utilisation = 0.6m, PowerWatts = 1_200m, ElectricityPricePerKwh = 0.25m };

    [Fact]
    public void EachNode_CostsItsProfilesRate_AndUnmappedNodesTheDefaults()
    {
        var costs = new HardwareCosts(new Dictionary<string, HardwareProfile> { ["gpu-1"] = GpuServer }, Workstation);

        Assert.Equal(1.440771m, Math.Round(CostModel.PerBusyHour(GpuServer), 6));
        Assert.Equal(2.881542m, Math.Round(costs.Of("gpu-1", TimeSpan.FromHours(2)), 6)); // 2 h × 1.4407712
        Assert.Equal(0.360193m, Math.Round(costs.Of("local", TimeSpan.FromMinutes(30)), 6)); // 0.5 h × 0.7203856, the default's rate
        Assert.Same(GpuServer, costs.ProfileOf("gpu-1"));
        Assert.Same(Workstation, costs.ProfileOf("never-mapped"));
    }

    [Fact]
    public void WithoutAnyProfile_BusyTimeCostsNothing() =>
        Assert.Equal(0m, new HardwareCosts(new Dictionary<string, HardwareProfile>(), null).Of("local", TimeSpan.FromHours(3)));

    [Fact]
    public void CloudPrices_OfTheReferenceTiers()
    {
        var frontier = new CloudPrice { Name = "Frontier", InputPerMillionTokens = 10m, OutputPerMillionTokens = 50m };
        var openWeight = new CloudPrice { Name = "Open", InputPerMillionTokens = 0.43m, OutputPerMillionTokens = 0.87m };

        Assert.Equal(60m, CostModel.Cloud(frontier, 1_000_000, 1_000_000));
        Assert.Equal(0.1295m, CostModel.Cloud(openWeight, 200_000, 50_000)); // 0.086 + 0.0435
    }
}
