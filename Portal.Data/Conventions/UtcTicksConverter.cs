using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Data.Conventions;

/// <summary>
/// SQLite has no date type, and EF Core cannot ORDER BY or compare a DateTimeOffset stored as text.
/// Storing UTC ticks (INTEGER) keeps full precision and makes ordering and range filters plain
/// integer comparisons. Values come back with offset zero: the instant is kept, the offset is not.
/// </summary>
internal sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    value => value.UtcTicks,
    ticks => new DateTimeOffset(ticks, TimeSpan.Zero));
