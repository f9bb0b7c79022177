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

    /// <summary>The first day the monthly rollups cover (none: no whole month, every day is an edge day).</summary>
    public DateOnly MonthsStart => FirstMonth ?? DateOnly.MaxValue;

    /// <summary>The last day the monthly rollups cover.</summary>
    public DateOnly MonthsEnd => LastMonth is { } last ? last.AddMonths(1).AddDays(-1) : DateOnly.MaxValue;

    /// <summary>Whether some days of the period lie outside its whole months.</summary>
    public bool HasEdgeDays => FirstMonth is null || From < MonthsStart || To > MonthsEnd;
}
