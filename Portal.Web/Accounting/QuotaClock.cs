namespace Portal.Web.Accounting;

/// <summary>
/// The quota windows at one instant in one tenant's time zone: its day and month start at local
/// midnight; the minute of the request rate is the UTC minute.
/// </summary>
public sealed class QuotaClock(TimeZoneInfo zone, DateTimeOffset now)
{
    private readonly DateTime local = TimeZoneInfo.ConvertTime(now, zone).DateTime;

    public TimeZoneInfo Zone { get; } = zone;

    public DateTimeOffset Now { get; } = now;

    public DateOnly Today => DateOnly.FromDateTime(local);

    public string DayWindow => $"D{Today:yyyy-MM-dd}";

    public string MonthWindow => $"M{Today:yyyy-MM}";

    public string MinuteWindow => $"R{Now.UtcDateTime:yyyy-MM-ddTHH:mm}";

    public DateTimeOffset DayEnds => StartOf(Today.AddDays(1));

    public DateTimeOffset MonthEnds => StartOf(new DateOnly(Today.Year, Today.Month, 1).AddMonths(1));

    public DateTimeOffset MinuteEnds
    {
        get
        {
            var utc = Now.UtcDateTime;
            return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        }
    }

    /// <summary>The zone of a tenant's setting; UTC when none is set or the id is unknown on this machine.</summary>
    public static TimeZoneInfo ZoneOf(string? timeZoneId) =>
        timeZoneId is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The instant <paramref name="day"/> begins in the zone (a midnight skipped by a clock change begins an hour later).</summary>
    public DateTimeOffset StartOf(DateOnly day)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (Zone.IsInvalidTime(midnight))
        {
            midnight = midnight.AddMinutes(30);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(midnight, Zone), TimeSpan.Zero);
    }

    /// <summary>The local day of an instant in this clock's zone.</summary>
    public DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);
}
