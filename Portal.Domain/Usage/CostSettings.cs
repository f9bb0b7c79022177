namespace Portal.Domain.Usage;

/// <summary>The organisation's own hardware figures, from which the cost of a token is derived.</summary>
public sealed class CostSettings
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public string Currency { get; set; } = "USD";

    public decimal HardwarePrice { get; set; }

    public decimal LifetimeYears { get; set; } = 4;

    public decimal PowerWatts { get; set; }

    public decimal ElectricityPricePerKwh { get; set; }

    /// <summary>Share of the hardware's time spent generating, between 0 and 1.</summary>
    public decimal Utilisation { get; set; } = 0.3m;
}

/// <summary>A cloud API's list price, maintained by an admin, to compare against.</summary>
public sealed class CloudPrice
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    public decimal InputPerMillionTokens { get; set; }

    public decimal OutputPerMillionTokens { get; set; }
}
