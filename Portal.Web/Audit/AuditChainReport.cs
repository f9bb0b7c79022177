namespace Portal.Web.Audit;

/// <summary>What is wrong at the first broken link of a chain.</summary>
public enum AuditBreakKind
{
    /// <summary>A row's content, or a hash, differs from what was written.</summary>
    Changed,

    /// <summary>Rows are missing: a gap in the positions, or the end of the chain cut off.</summary>
    Deleted,

    /// <summary>A row that the log did not write: no link, a position taken twice, or beyond the chain's head.</summary>
    Inserted,
}

/// <summary>The first broken link: what is wrong, at which row (by id) and position, in words.</summary>
public sealed record AuditChainBreak(AuditBreakKind Kind, long? EventId, long? Sequence, string Description);

/// <summary>The result of walking one chain.</summary>
/// <param name="ChainId">The tenant's id, or the platform chain's empty id.</param>
/// <param name="EntriesChecked">Linked rows walked.</param>
/// <param name="HeadSequence">The chain's recorded last position (0 for an empty chain).</param>
/// <param name="HeadHash">The chain's recorded last hash: an auditor may note it to compare later.</param>
/// <param name="FirstBreak">Null when the chain is intact.</param>
/// <param name="EntriesBeforeChaining">Rows written before the log was chained, which no hash covers.</param>
public sealed record AuditChainReport(
    Guid ChainId,
    long EntriesChecked,
    long HeadSequence,
    string? HeadHash,
    AuditChainBreak? FirstBreak,
    long EntriesBeforeChaining)
{
    public bool IsIntact => FirstBreak is null;
}
