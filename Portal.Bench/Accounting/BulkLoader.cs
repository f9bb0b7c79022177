using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Portal.Domain.Usage;

namespace Portal.Bench.Accounting;

/// <summary>
/// Writes records and rollups the fast way, in the column formats EF Core uses for the portal's model:
/// SQLite through one prepared INSERT per table in transactions of 100,000 rows (synchronous off, journal in
/// memory, a large page cache), PostgreSQL through binary COPY.
/// </summary>
internal static class BulkLoader
{
    private const int RowsPerTransaction = 100_000;

    private static readonly string[] RecordColumns =
        ["Id", "TenantId", "UserId", "ModelEntryId", "ConversationId", "WorkspaceId", "MessageId", "PromptTokens", "CompletionTokens", "TimeToFirstToken", "Duration", "TokensPerSecond", "Node", "Outcome", "CreatedAt"];

    private static readonly string[] DailyColumns =
        ["Id", "TenantId", "Day", "UserId", "ModelEntryId", "WorkspaceKey", "Node", "Requests", "Completed", "Stopped", "Failed", "RefusedByPolicy", "RefusedByQuota", "PromptTokens", "CompletionTokens", "BusyTicks"];

    private static readonly string[] SpeedColumns = ["Id", "TenantId", "Day", "ModelEntryId", "Measure", "Bucket", "Answers"];

    private static readonly string[] SumColumns = ["Requests", "Completed", "Stopped", "Failed", "RefusedByPolicy", "RefusedByQuota", "PromptTokens", "CompletionTokens", "BusyTicks"];

    private static readonly string[] TotalColumns = ["Id", "TenantId", "Day", "ModelEntryId", "WorkspaceKey", "Node", .. SumColumns];

    private static readonly string[] MonthlyPersonColumns = ["Id", "TenantId", "Month", "UserId", "Node", .. SumColumns];

    private static readonly string[] MonthlySpeedColumns = ["Id", "TenantId", "Month", "ModelEntryId", "Measure", "Bucket", "Answers"];

    public static long Write(BenchProvider provider, string connectionString, IEnumerable<UsageRecord> records, RollupBuilder rollups, Action<long> progress) =>
        provider == BenchProvider.Sqlite
            ? Sqlite(connectionString, "UsageRecords", RecordColumns, Observe(records, rollups, progress), SqliteValues)
            : Copy(connectionString, "UsageRecords", RecordColumns, Observe(records, rollups, progress), CopyRecord);

    public static void WriteRollups(BenchProvider provider, string connectionString, RollupBuilder rollups)
    {
        if (provider == BenchProvider.Sqlite)
        {
            Sqlite(connectionString, "UsageDailyRollups", DailyColumns, rollups.Daily(), SqliteValues);
            Sqlite(connectionString, "UsageSpeedRollups", SpeedColumns, rollups.Speeds(), SqliteValues);
            Sqlite(connectionString, "UsageDailyTotals", TotalColumns, rollups.Totals(), SqliteValues);
            Sqlite(connectionString, "UsageMonthlyPersonRollups", MonthlyPersonColumns, rollups.MonthlyPersons(), SqliteValues);
            Sqlite(connectionString, "UsageMonthlySpeedRollups", MonthlySpeedColumns, rollups.MonthlySpeeds(), SqliteValues);
        }
        else
        {
            Copy(connectionString, "UsageDailyRollups", DailyColumns, rollups.Daily(), CopyDaily);
            Copy(connectionString, "UsageSpeedRollups", SpeedColumns, rollups.Speeds(), CopySpeed);
            Copy(connectionString, "UsageDailyTotals", TotalColumns, rollups.Totals(), CopyTotal);
            Copy(connectionString, "UsageMonthlyPersonRollups", MonthlyPersonColumns, rollups.MonthlyPersons(), CopyMonthlyPerson);
            Copy(connectionString, "UsageMonthlySpeedRollups", MonthlySpeedColumns, rollups.MonthlySpeeds(), CopyMonthlySpeed);
        }
    }

    private static IEnumerable<UsageRecord> Observe(IEnumerable<UsageRecord> records, RollupBuilder rollups, Action<long> progress)
    {
        long count = 0;
        foreach (var record in records)
        {
            rollups.Add(record);
            yield return record;
            if (++count % 1_000_000 == 0)
            {
                progress(count);
            }
        }
    }

    private static long Sqlite<T>(string connectionString, string table, string[] columns, IEnumerable<T> rows, Func<T, object?[]> values)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144;";
            pragmas.ExecuteNonQuery();
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        var parameters = columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter($"$p{i}", null))).ToArray();
        var transaction = connection.BeginTransaction();
        insert.Transaction = transaction;
        insert.Prepare();
        long count = 0;
        foreach (var row in rows)
        {
            var rowValues = values(row!);
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = rowValues[i] ?? DBNull.Value;
            }

            insert.ExecuteNonQuery();
            if (++count % RowsPerTransaction == 0)
            {
                transaction.Commit();
                transaction.Dispose();
                transaction = connection.BeginTransaction();
                insert.Transaction = transaction;
            }
        }

        transaction.Commit();
        transaction.Dispose();
        return count;
    }

    /// <summary>EF Core's SQLite formats: GUIDs as upper-case text, instants and durations as ticks, dates as yyyy-MM-dd.</summary>
    private static object?[] SqliteValues<T>(T row) => row switch
    {
        UsageRecord r => [G(r.Id), G(r.TenantId), G(r.UserId), G(r.ModelEntryId), G(r.ConversationId), G(r.WorkspaceId), G(r.MessageId), r.PromptTokens, r.CompletionTokens,
            r.TimeToFirstToken.Ticks, r.Duration.Ticks, r.TokensPerSecond, r.Node, r.Outcome.ToString(), r.CreatedAt.UtcTicks],
        UsageDailyRollup d => [G(d.Id), G(d.TenantId), D(d.Day), G(d.UserId), G(d.ModelEntryId), G(d.WorkspaceKey), d.Node, d.Requests, d.Completed, d.Stopped, d.Failed,
            d.RefusedByPolicy, d.RefusedByQuota, d.PromptTokens, d.CompletionTokens, d.BusyTicks],
        UsageSpeedRollup s => [G(s.Id), G(s.TenantId), D(s.Day), G(s.ModelEntryId), (int)s.Measure, s.Bucket, s.Answers],
        UsageDailyTotal t => [G(t.Id), G(t.TenantId), D(t.Day), G(t.ModelEntryId), G(t.WorkspaceKey), t.Node, .. Sums(t).Cast<object?>()],
        UsageMonthlyPersonRollup m => [G(m.Id), G(m.TenantId), D(m.Month), G(m.UserId), m.Node, .. Sums(m).Cast<object?>()],
        UsageMonthlySpeedRollup s => [G(s.Id), G(s.TenantId), D(s.Month), G(s.ModelEntryId), (int)s.Measure, s.Bucket, s.Answers],
        _ => throw new ArgumentException("Not a usage row.", nameof(row)),
    };

    private static string? G(Guid? id) => id?.ToString().ToUpperInvariant();

    private static string D(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static long Copy<T>(string connectionString, string table, string[] columns, IEnumerable<T> rows, Action<NpgsqlBinaryImporter, T> write)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var importer = connection.BeginBinaryImport($"COPY \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)");
        long count = 0;
        foreach (var row in rows)
        {
            importer.StartRow();
            write(importer, row);
            count++;
        }

        importer.Complete();
        return count;
    }

    private static void CopyRecord(NpgsqlBinaryImporter w, UsageRecord r)
    {
        w.Write(r.Id, NpgsqlDbType.Uuid);
        w.Write(r.TenantId, NpgsqlDbType.Uuid);
        w.Write(r.UserId, NpgsqlDbType.Uuid);
        w.Write(r.ModelEntryId, NpgsqlDbType.Uuid);
        Nullable(w, r.ConversationId);
        Nullable(w, r.WorkspaceId);
        Nullable(w, r.MessageId);
        w.Write(r.PromptTokens, NpgsqlDbType.Integer);
        w.Write(r.CompletionTokens, NpgsqlDbType.Integer);
        w.Write(r.TimeToFirstToken.Ticks, NpgsqlDbType.Bigint);
        w.Write(r.Duration.Ticks, NpgsqlDbType.Bigint);
        w.Write(r.TokensPerSecond, NpgsqlDbType.Double);
        w.Write(r.Node, NpgsqlDbType.Varchar);
        w.Write(r.Outcome.ToString(), NpgsqlDbType.Varchar);
        w.Write(r.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
    }

    private static void CopyDaily(NpgsqlBinaryImporter w, UsageDailyRollup d)
    {
        w.Write(d.Id, NpgsqlDbType.Uuid);
        w.Write(d.TenantId, NpgsqlDbType.Uuid);
        w.Write(d.Day, NpgsqlDbType.Date);
        w.Write(d.UserId, NpgsqlDbType.Uuid);
        w.Write(d.ModelEntryId, NpgsqlDbType.Uuid);
        w.Write(d.WorkspaceKey, NpgsqlDbType.Uuid);
        w.Write(d.Node, NpgsqlDbType.Varchar);
        foreach (var value in new[] { d.Requests, d.Completed, d.Stopped, d.Failed, d.RefusedByPolicy, d.RefusedByQuota, d.PromptTokens, d.CompletionTokens, d.BusyTicks })
        {
            w.Write(value, NpgsqlDbType.Bigint);
        }
    }

    private static void CopySpeed(NpgsqlBinaryImporter w, UsageSpeedRollup s)
    {
        w.Write(s.Id, NpgsqlDbType.Uuid);
        w.Write(s.TenantId, NpgsqlDbType.Uuid);
        w.Write(s.Day, NpgsqlDbType.Date);
        w.Write(s.ModelEntryId, NpgsqlDbType.Uuid);
        w.Write((int)s.Measure, NpgsqlDbType.Integer);
        w.Write(s.Bucket, NpgsqlDbType.Integer);
        w.Write(s.Answers, NpgsqlDbType.Bigint);
    }

    private static void CopyTotal(NpgsqlBinaryImporter w, UsageDailyTotal t)
    {
        w.Write(t.Id, NpgsqlDbType.Uuid);
        w.Write(t.TenantId, NpgsqlDbType.Uuid);
        w.Write(t.Day, NpgsqlDbType.Date);
        w.Write(t.ModelEntryId, NpgsqlDbType.Uuid);
        w.Write(t.WorkspaceKey, NpgsqlDbType.Uuid);
        w.Write(t.Node, NpgsqlDbType.Varchar);
        CopySums(w, t);
    }

    private static void CopyMonthlyPerson(NpgsqlBinaryImporter w, UsageMonthlyPersonRollup m)
    {
        w.Write(m.Id, NpgsqlDbType.Uuid);
        w.Write(m.TenantId, NpgsqlDbType.Uuid);
        w.Write(m.Month, NpgsqlDbType.Date);
        w.Write(m.UserId, NpgsqlDbType.Uuid);
        w.Write(m.Node, NpgsqlDbType.Varchar);
        CopySums(w, m);
    }

    private static void CopyMonthlySpeed(NpgsqlBinaryImporter w, UsageMonthlySpeedRollup s)
    {
        w.Write(s.Id, NpgsqlDbType.Uuid);
        w.Write(s.TenantId, NpgsqlDbType.Uuid);
        w.Write(s.Month, NpgsqlDbType.Date);
        w.Write(s.ModelEntryId, NpgsqlDbType.Uuid);
        w.Write((int)s.Measure, NpgsqlDbType.Integer);
        w.Write(s.Bucket, NpgsqlDbType.Integer);
        w.Write(s.Answers, NpgsqlDbType.Bigint);
    }

    private static void CopySums(NpgsqlBinaryImporter w, UsageSums sums)
    {
        foreach (var value in Sums(sums))
        {
            w.Write(value, NpgsqlDbType.Bigint);
        }
    }

    private static long[] Sums(UsageSums s) => [s.Requests, s.Completed, s.Stopped, s.Failed, s.RefusedByPolicy, s.RefusedByQuota, s.PromptTokens, s.CompletionTokens, s.BusyTicks];

    private static void Nullable(NpgsqlBinaryImporter w, Guid? value)
    {
        if (value is { } id)
        {
            w.Write(id, NpgsqlDbType.Uuid);
        }
        else
        {
            w.WriteNull();
        }
    }
}
