namespace Portal.Domain.Audit;

/// <summary>
/// The last link of one chain, written in the same transaction as the entry it names. Verification
/// compares the chain's last row with it, so rows cut off the end of a chain are found too.
/// </summary>
public sealed class AuditChainHead
{
    public Guid ChainId { get; set; }

    public long Sequence { get; set; }

    public required string Hash { get; set; }
}
