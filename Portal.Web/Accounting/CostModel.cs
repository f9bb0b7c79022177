using Portal.Domain.Usage;

namespace Portal.Web.Accounting;

/// <summary>
/// The on-premises cost of busy time: the hardware's price spread over the hours it is expected to be
/// busy in its lifetime (lifetime × utilisation), plus the electricity it draws while busy.
/// </summary>
public static class CostModel
{
    /// <summary>Hours in an average year (365.25 days).</summary>
    public const decimal HoursPerYear = 8766m;

    /// <summary>Cost of one hour of generation on the hardware of <paramref name="profile"/>.</summary>
    public static decimal PerBusyHour(HardwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var busyHours = profile.LifetimeYears * HoursPerYear * profile.Utilisation;
        var amortisation = busyHours > 0 ? profile.HardwarePrice / busyHours : 0;
        var power = profile.PowerWatts / 1000m * profile.ElectricityPricePerKwh;
        return amortisation + power;
    }

    /// <summary>Cost of <paramref name="busy"/> generation time.</summary>
    public static decimal Of(HardwareProfile profile, TimeSpan busy) => PerBusyHour(profile) * (decimal)busy.TotalHours;

    /// <summary>Cost per million tokens, or null when no tokens were produced.</summary>
    public static decimal? PerMillionTokens(decimal cost, long tokens) => tokens > 0 ? cost / tokens * 1_000_000m : null;

    /// <summary>What the same tokens would have cost at a cloud list price.</summary>
    public static decimal Cloud(CloudPrice price, long promptTokens, long completionTokens)
    {
        ArgumentNullException.ThrowIfNull(price);
        return (promptTokens * price.InputPerMillionTokens + completionTokens * price.OutputPerMillionTokens) / 1_000_000m;
    }
}
