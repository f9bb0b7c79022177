namespace Portal.Domain.Usage;

/// <summary>
/// The speed histogram of one model's answers of one calendar month (tenant time zone): the monthly
/// counterpart of <see cref="UsageSpeedRollup"/>, which medians read for the whole months of a period
/// (daily buckets only for the days at its edges).
/// </summary>
public sealed class UsageMonthlySpeedRollup : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    /// <summary>The month's first day.</summary>
    public DateOnly Month { get; set; }

    public Guid ModelEntryId { get; set; }

    public SpeedMeasure Measure { get; set; }

    /// <summary>The bucket's number (see the portal's SpeedHistogram).</summary>
    public int Bucket { get; set; }

    public long Answers { get; set; }
}
