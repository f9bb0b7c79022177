namespace Portal.Domain.Usage;

/// <summary>
/// One kind of inference hardware, from whose figures the cost of its busy time is derived. Nodes are
/// mapped to a profile (<see cref="NodeHardwareProfile"/>); the default profile prices every other node.
/// </summary>
public sealed class HardwareProfile
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    /// <summary>Prices the generations of nodes that are mapped to no profile. Exactly one profile is the default.</summary>
    public bool IsDefault { get; set; }

    public decimal HardwarePrice { get; set; }

    public decimal LifetimeYears { get; set; } = 4;

    public decimal PowerWatts { get; set; }

    public decimal ElectricityPricePerKwh { get; set; }

    /// <summary>Share of the hardware's time spent generating, between 0 and 1.</summary>
    public decimal Utilisation { get; set; } = 0.3m;
}

/// <summary>Which hardware profile prices the generations of one inference node (as named in <see cref="UsageRecord.Node"/>).</summary>
public sealed class NodeHardwareProfile
{
    public required string Node { get; set; }

    public Guid HardwareProfileId { get; set; }
}
