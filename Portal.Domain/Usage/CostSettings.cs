namespace Portal.Domain.Usage;

/// <summary>The platform's cost settings: the currency every price and report is in. Hardware figures live in <see cref="HardwareProfile"/>.</summary>
public sealed class CostSettings
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public string Currency { get; set; } = "USD";
}

/// <summary>A cloud API's list price, maintained by an admin, to compare against.</summary>
public sealed class CloudPrice
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    public decimal InputPerMillionTokens { get; set; }

    public decimal OutputPerMillionTokens { get; set; }
}
