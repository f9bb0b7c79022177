namespace Portal.Web.Accounting;

/// <summary>
/// A report's period of whole days (tenant time zone), split for the rollups: the calendar months that lie
/// wholly inside it are read from the monthly rollups, the days at its edges outside those months from the
/// daily ones. Every day of the period is in exactly one of the two, so sums and distinct counts stay exact.
/// </summary>
public sealed record ReportPeriod(DateOnly From, DateOnly To, DateOnly? FirstMonth, DateOnly? LastMonth)
{
    public static ReportPeriod Of(DateOnly from, DateOnly to)
    {
        var first = from.Day == 1 ? from : MonthOf(from).AddMonths(1);
        var last = to == DateOnly.MaxValue || to.AddDays(1).Day == 1 ? MonthOf(to) : MonthOf(to).AddMonths(-1);
        return first <= last ? new(from, to, first, last) : new(from, to, null, null);
    }

    public static DateOnly MonthOf(DateOnly day) => new(day.Year, day.Month, 1);

    /// <summary>
    /// The runs of days outside the whole months (none, one or two: before the first whole month and after the last;
    /// the whole period when it holds no whole month). Each is read as its own index range.
    /// </summary>
    public IReadOnlyList<(DateOnly From, DateOnly To)> EdgeRanges
    {
        get
        {
            if (FirstMonth is not { } first || LastMonth is not { } last)
            {
                return [(From, To)];
            }

            var afterLast = last.AddMonths(1);
            List<(DateOnly From, DateOnly To)> ranges = [];
            if (From < first)
            {
                ranges.Add((From, first.AddDays(-1)));
            }

            if (To >= afterLast)
            {
                ranges.Add((afterLast, To));
            }

            return ranges;
        }
    }
}
