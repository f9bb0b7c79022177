using Portal.Domain.Usage;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Reports;

public sealed class CostModelTests
{
    // 10,000 over 4 years at 50 % utilisation: 4 × 8766 × 0.5 = 17,532 busy hours → 0.570386 an hour;
    // 500 W at 0.30 a kWh → 0.15 an hour; together 0.720386 an hour of generation.
    private static readonly CostSettings Workstation = new() { HardwarePrice = 10_000m, LifetimeYears = 4, Utilisation = 0.5m, PowerWatts = 500m, ElectricityPricePerKwh = 0.30m };

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
        var idle = new CostSettings { HardwarePrice = 8_766m, LifetimeYears = 1, Utilisation = 0.25m, PowerWatts = 0m };

        Assert.Equal(4m, CostModel.PerBusyHour(idle)); // 8,766 over 2,191.5 busy hours
    }

    [Fact]
    public void CloudPrices_OfTheReferenceTiers()
    {
        var frontier = new CloudPrice { Name = "Frontier", InputPerMillionTokens = 10m, OutputPerMillionTokens = 50m };
        var openWeight = new CloudPrice { Name = "Open", InputPerMillionTokens = 0.43m, OutputPerMillionTokens = 0.87m };

        Assert.Equal(60m, CostModel.Cloud(frontier, 1_000_000, 1_000_000));
        Assert.Equal(0.1295m, CostModel.Cloud(openWeight, 200_000, 50_000)); // 0.086 + 0.0435
    }
}
