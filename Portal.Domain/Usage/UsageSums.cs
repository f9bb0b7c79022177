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

    /// <summary>Adds one record: a request, counted under its outcome, with its tokens and busy time.</summary>
    public void Add(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Requests++;
        Completed += record.Outcome is GenerationOutcome.Completed or GenerationOutcome.Length ? 1 : 0;
        Stopped += record.Outcome == GenerationOutcome.Stopped ? 1 : 0;
        Failed += record.Outcome == GenerationOutcome.Failed ? 1 : 0;
        RefusedByPolicy += record.Outcome == GenerationOutcome.Refused ? 1 : 0;
        RefusedByQuota += record.Outcome == GenerationOutcome.RefusedByQuota ? 1 : 0;
        PromptTokens += record.PromptTokens;
        CompletionTokens += record.CompletionTokens;
        BusyTicks += record.Duration.Ticks;
    }

    /// <summary>Adds the sums of another row (a coarser rollup is its finer rows added up).</summary>
    public void Add(UsageSums other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Requests += other.Requests;
        Completed += other.Completed;
        Stopped += other.Stopped;
        Failed += other.Failed;
        RefusedByPolicy += other.RefusedByPolicy;
        RefusedByQuota += other.RefusedByQuota;
        PromptTokens += other.PromptTokens;
        CompletionTokens += other.CompletionTokens;
        BusyTicks += other.BusyTicks;
    }

    /// <summary>The sums by column name.</summary>
    public IEnumerable<(string Column, long Value)> Columns() =>
    [
        (nameof(Requests), Requests), (nameof(Completed), Completed), (nameof(Stopped), Stopped), (nameof(Failed), Failed),
        (nameof(RefusedByPolicy), RefusedByPolicy), (nameof(RefusedByQuota), RefusedByQuota), (nameof(PromptTokens), PromptTokens),
        (nameof(CompletionTokens), CompletionTokens), (nameof(BusyTicks), BusyTicks),
    ];
}
