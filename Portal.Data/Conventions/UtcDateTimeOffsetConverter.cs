using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Portal.Data.Conventions;

/// <summary>
/// PostgreSQL's <c>timestamptz</c> stores an instant and Npgsql refuses a DateTimeOffset whose offset
/// is not zero; normalising to UTC on the way in lets callers pass any offset.
/// </summary>
internal sealed class UtcDateTimeOffsetConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
    value => value.ToUniversalTime(),
    value => value);
