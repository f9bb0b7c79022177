using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Bench.Accounting;

/// <summary>Times every query the product's code runs through EF Core, from sending the command to closing its reader (rows read).</summary>
internal sealed class QueryTimer : DbCommandInterceptor
{
    private readonly ConcurrentDictionary<DbCommand, long> started = new();

    public ConcurrentQueue<(string Sql, TimeSpan Elapsed)> Queries { get; } = new();

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        started[command] = Stopwatch.GetTimestamp();
        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }

    public override ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Finish(command);
        return base.DataReaderClosingAsync(command, eventData, result);
    }

    public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        Finish(command);
        return base.DataReaderDisposing(command, eventData, result);
    }

    private void Finish(DbCommand command)
    {
        if (started.TryRemove(command, out var start))
        {
            Queries.Enqueue((command.CommandText, Stopwatch.GetElapsedTime(start)));
        }
    }

    /// <summary>What a report query computes, read from its SQL: the rollup table and the grouping.</summary>
    public static string? Label(string sql)
    {
        bool Reads(string table) => sql.Contains($"\"{table}\"", StringComparison.Ordinal);
        if (Reads("UsageSpeedRollups") || Reads("UsageMonthlySpeedRollups"))
        {
            return "medians per model";
        }

        // People (and from them the active people): the monthly rows, and the daily per-person rows at the period's edges.
        if (Reads("UsageMonthlyPersonRollups") || Reads("UsageDailyRollups"))
        {
            return "by person";
        }

        if (!Reads("UsageDailyTotals"))
        {
            return "other (names, costs, settings)";
        }

        var grouping = sql[(sql.IndexOf("GROUP BY", StringComparison.Ordinal) + 8)..];
        return grouping.Contains("\"Day\"", StringComparison.Ordinal) ? "by day"
            : grouping.Contains("\"ModelEntryId\"", StringComparison.Ordinal) ? "by model"
            : grouping.Contains("\"WorkspaceKey\"", StringComparison.Ordinal) ? "by workspace" : "other rollup query";
    }
}
