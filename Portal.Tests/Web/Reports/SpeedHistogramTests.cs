using Portal.Web.Accounting;

namespace Portal.Tests.Web.Reports;

public sealed class SpeedHistogramTests
{
    [Fact]
    public void Buckets_Are5PercentWide_AndAMedianIsItsBucketsGeometricMiddle()
    {
        // 100 = 1.05^94.39 → bucket 94, covering [1.05^94, 1.05^95) = [98.13, 103.04); its middle is 1.05^94.5 = 100.55.
        Assert.Equal(94, SpeedHistogram.BucketOf(100));
        Assert.Equal(100.55, Math.Round(SpeedHistogram.MiddleOf(94), 2));
        Assert.Equal(SpeedHistogram.ZeroBucket, SpeedHistogram.BucketOf(0));
        Assert.Equal(0, SpeedHistogram.MiddleOf(SpeedHistogram.ZeroBucket));
    }

    [Fact]
    public void Median_OfOddAndEvenCounts_ReadsTheMiddleRanks()
    {
        // Ranks 1-2 in bucket 10, rank 3 in bucket 20: the median (rank 2) is bucket 10's middle.
        Assert.Equal(SpeedHistogram.MiddleOf(10), SpeedHistogram.Median([(20, 1), (10, 2)]));

        // Four values, ranks 2 and 3 straddle buckets 10 and 20: their middles' mean.
        Assert.Equal((SpeedHistogram.MiddleOf(10) + SpeedHistogram.MiddleOf(20)) / 2, SpeedHistogram.Median([(10, 2), (20, 2)]));
        Assert.Equal(0, SpeedHistogram.Median([]));
    }

    [Fact]
    public void Median_IsWithinTwoAndAHalfPercentOfTheExactMedian()
    {
        var random = new Random(5);
        for (var round = 0; round < 200; round++)
        {
            var values = Enumerable.Range(0, random.Next(1, 400)).Select(_ => Math.Exp(random.NextDouble() * 8)).ToList();
            var exact = UsageReports.Median(values);
            var fromBuckets = SpeedHistogram.Median(values.GroupBy(SpeedHistogram.BucketOf).Select(g => (g.Key, (long)g.Count())));
            Assert.InRange(fromBuckets / exact, 1 / 1.025, 1.025);
        }
    }
}
