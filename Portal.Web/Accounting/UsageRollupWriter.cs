using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Usage;

namespace Portal.Web.Accounting;

/// <summary>
/// Adds one usage record to every rollup that holds it (per person and day, the day's totals, per person and
/// month, and for an answer the daily and monthly speed buckets) in ONE command inside the caller's
/// transaction: an upsert per row, so a row that does not exist yet is created with the record's sums and one
/// that does is raised by them. PostgreSQL and SQLite use INSERT … ON CONFLICT DO UPDATE; SQL Server an UPDATE
/// holding a key-range lock (UPDLOCK, SERIALIZABLE) followed by an INSERT when it found no row.
/// </summary>
internal static class UsageRollupWriter
{
    public static async Task AddAsync(PortalDbContext db, UsageRecord record, DateOnly day, CancellationToken cancellationToken)
    {
        var parameters = new List<object>();
        string P(object value)
        {
            parameters.Add(value);
            return $"{{{parameters.Count - 1}}}";
        }

        var month = ReportPeriod.MonthOf(day);
        var added = new RecordSums();
        added.Add(record);
        string tenant = P(record.TenantId), dayValue = P(day), monthValue = P(month), user = P(record.UserId), model = P(record.ModelEntryId),
            workspace = P(record.WorkspaceId ?? Guid.Empty), node = P(record.Node);
        List<(string Column, string Value)> sums = [.. added.Columns().Select(s => (s.Column, P(s.Value)))];
        List<Row> rows =
        [
            new("UsageDailyRollups", P(Guid.NewGuid()), [("TenantId", tenant), ("Day", dayValue), ("UserId", user), ("ModelEntryId", model), ("WorkspaceKey", workspace), ("Node", node)], sums),
            new("UsageDailyTotals", P(Guid.NewGuid()), [("TenantId", tenant), ("Day", dayValue), ("ModelEntryId", model), ("WorkspaceKey", workspace), ("Node", node)], sums),
            new("UsageMonthlyPersonRollups", P(Guid.NewGuid()), [("TenantId", tenant), ("Month", monthValue), ("UserId", user), ("Node", node)], sums),
        ];
        if (SpeedHistogram.Counts(record))
        {
            var one = P(1L);

            // Always the same order (table, then measure), so two transactions never wait on each other in a cycle.
            foreach (var (table, period) in new[] { ("UsageSpeedRollups", ("Day", dayValue)), ("UsageMonthlySpeedRollups", ("Month", monthValue)) })
            {
                foreach (var measure in Enum.GetValues<SpeedMeasure>())
                {
                    var bucket = SpeedHistogram.BucketOf(SpeedHistogram.ValueOf(record, measure));
                    rows.Add(new(table, P(Guid.NewGuid()), [("TenantId", tenant), period, ("ModelEntryId", model), ("Measure", P((int)measure)), ("Bucket", P(bucket))], [("Answers", one)]));
                }
            }
        }

        var sql = db.Database.ProviderName == "Microsoft.EntityFrameworkCore.SqlServer"
            ? string.Join("\n", rows.Select(UpdateThenInsert))
            : string.Join("\n", rows.Select(InsertOnConflict));
        await db.Database.ExecuteSqlRawAsync(sql, parameters, cancellationToken);
    }

    private static string InsertOnConflict(Row row) =>
        $"INSERT INTO \"{row.Table}\" (\"Id\", {Columns(row.Keys)}, {Columns(row.Sums)}) VALUES ({row.Id}, {Values(row.Keys)}, {Values(row.Sums)}) "
        + $"ON CONFLICT ({Columns(row.Keys)}) DO UPDATE SET {string.Join(", ", row.Sums.Select(s => $"\"{s.Column}\" = \"{row.Table}\".\"{s.Column}\" + excluded.\"{s.Column}\""))};";

    private static string UpdateThenInsert(Row row) =>
        $"UPDATE \"{row.Table}\" WITH (UPDLOCK, SERIALIZABLE) SET {string.Join(", ", row.Sums.Select(s => $"\"{s.Column}\" = \"{s.Column}\" + {s.Value}"))} "
        + $"WHERE {string.Join(" AND ", row.Keys.Select(k => $"\"{k.Column}\" = {k.Value}"))};\n"
        + $"IF @@ROWCOUNT = 0 INSERT INTO \"{row.Table}\" (\"Id\", {Columns(row.Keys)}, {Columns(row.Sums)}) VALUES ({row.Id}, {Values(row.Keys)}, {Values(row.Sums)});";

    private static string Columns(IEnumerable<(string Column, string Value)> pairs) => string.Join(", ", pairs.Select(p => $"\"{p.Column}\""));

    private static string Values(IEnumerable<(string Column, string Value)> pairs) => string.Join(", ", pairs.Select(p => p.Value));

    /// <summary>The sums one record adds to each of its rollup rows.</summary>
    private sealed class RecordSums : UsageSums;

    /// <summary>One rollup row to raise: its table, a fresh id for when it is new, its key columns and the sums to add (parameter placeholders).</summary>
    private sealed record Row(string Table, string Id, IReadOnlyList<(string Column, string Value)> Keys, IReadOnlyList<(string Column, string Value)> Sums);
}
