using Portal.Domain.Usage;

namespace Portal.Web.Accounting;

/// <summary>
/// Logarithmic buckets for speed medians: bucket b holds the values in [1.05^b, 1.05^(b+1)), and a median
/// read from the buckets is the middle of its bucket (geometric), so it is within 2.5 % of the exact median
/// of the same answers. A year of answers then fits in a few hundred thousand rows instead of millions.
/// </summary>
public static class SpeedHistogram
{
    public const double Ratio = 1.05;

    /// <summary>Values of zero or less (an answer without a measured first token) share one bucket, below all others.</summary>
    public const int ZeroBucket = -100_000;

    private static readonly double LogRatio = Math.Log(Ratio);

    /// <summary>Whether the record is an answer whose speed counts: it completed and produced tokens.</summary>
    public static bool Counts(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.CompletionTokens > 0 && record.Outcome is GenerationOutcome.Completed or GenerationOutcome.Length;
    }

    public static double ValueOf(UsageRecord record, SpeedMeasure measure)
    {
        ArgumentNullException.ThrowIfNull(record);
        return measure == SpeedMeasure.TimeToFirstTokenMs ? record.TimeToFirstToken.TotalMilliseconds : record.TokensPerSecond;
    }

    public static int BucketOf(double value) => value > 0 && double.IsFinite(value) ? (int)Math.Floor(Math.Log(value) / LogRatio) : ZeroBucket;

    /// <summary>The value a bucket stands for: the geometric middle of its range.</summary>
    public static double MiddleOf(int bucket) => bucket == ZeroBucket ? 0 : Math.Pow(Ratio, bucket + 0.5);

    /// <summary>The median of the values counted in <paramref name="buckets"/> (bucket, count), each value taken as its bucket's middle.</summary>
    public static double Median(IEnumerable<(int Bucket, long Count)> buckets)
    {
        var sorted = buckets.Where(b => b.Count > 0).OrderBy(b => b.Bucket).ToList();
        var total = sorted.Sum(b => b.Count);
        if (total == 0)
        {
            return 0;
        }

        double At(long rank)
        {
            foreach (var (bucket, count) in sorted)
            {
                if (rank <= count)
                {
                    return MiddleOf(bucket);
                }

                rank -= count;
            }

            return MiddleOf(sorted[^1].Bucket);
        }

        return total % 2 == 1 ? At((total + 1) / 2) : (At(total / 2) + At((total / 2) + 1)) / 2;
    }
}
