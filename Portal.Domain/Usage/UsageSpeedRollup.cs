namespace Portal.Domain.Usage;

public enum SpeedMeasure
{
    TimeToFirstTokenMs,
    TokensPerSecond,
}

/// <summary>
/// A histogram of one speed measure of the answers of one day (tenant time zone) and one model: how many
/// answers fell into each logarithmic bucket. Reports read medians for any period from these instead of
/// every record; additions commute, so records arriving out of order give the same counts.
/// </summary>
public sealed class UsageSpeedRollup : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public DateOnly Day { get; set; }

    public Guid ModelEntryId { get; set; }

    public SpeedMeasure Measure { get; set; }

    /// <summary>The bucket's number (see the portal's SpeedHistogram: bucket b holds values in [1.05^b, 1.05^(b+1))).</summary>
    public int Bucket { get; set; }

    public long Answers { get; set; }
}
