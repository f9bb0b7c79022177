namespace Portal.Domain.Usage;

/// <summary>
/// The sums every usage rollup keeps of its records: counts by outcome, tokens and busy time. Additions
/// commute, so records arriving out of order give the same sums.
/// </summary>
public abstract class UsageSums
{
    public long Requests { get; set; }

    public long Completed { get; set; }

    public long Stopped { get; set; }

    public long Failed { get; set; }

    public long RefusedByPolicy { get; set; }

    public long RefusedByQuota { get; set; }

    public long PromptTokens { get; set; }

    public long CompletionTokens { get; set; }

    /// <summary>Sum of the generations' durations (the hardware's busy time), in ticks.</summary>
    public long BusyTicks { get; set; }
}
