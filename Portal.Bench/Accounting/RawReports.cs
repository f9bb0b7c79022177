using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Portal.Web.Accounting;

namespace Portal.Bench.Accounting;

/// <summary>One group of a raw query: its key, the node (for pricing), and the sums the product's rollups hold.</summary>
internal sealed record RawGroup(string Key, string Node, long Requests, long PromptTokens, long CompletionTokens, long Failed, long Refused, long BusyTicks);

/// <summary>
/// The report's queries computed straight from the usage records, as the product would without rollups:
/// the same groups, sums and filters, in SQL for each provider (a tenant's days are UTC days here, as the
/// bench's tenants keep the default zone).
/// </summary>
internal sealed class RawReports(BenchProvider provider, string connectionString)
{
    private string DayOf => provider == BenchProvider.Sqlite ? "(\"CreatedAt\" / 864000000000)" : "(\"CreatedAt\" AT TIME ZONE 'UTC')::date";

    public Task<List<RawGroup>> ByDayAsync(Guid? tenant, DateTimeOffset from, DateTimeOffset to) => GroupsAsync(DayOf, tenant, from, to);

    public Task<List<RawGroup>> ByPersonAsync(Guid? tenant, DateTimeOffset from, DateTimeOffset to) => GroupsAsync("\"UserId\"", tenant, from, to);

    public Task<List<RawGroup>> ByModelAsync(Guid? tenant, DateTimeOffset from, DateTimeOffset to) => GroupsAsync("\"ModelEntryId\"", tenant, from, to);

    public Task<List<RawGroup>> ByWorkspaceAsync(Guid? tenant, DateTimeOffset from, DateTimeOffset to) => GroupsAsync("\"WorkspaceId\"", tenant, from, to);

    public Task<List<RawGroup>> ByTenantAsync(DateTimeOffset from, DateTimeOffset to) => GroupsAsync("\"TenantId\"", null, from, to);

    /// <summary>Top users: the people ordered by tokens, the ten first.</summary>
    public Task<List<RawGroup>> TopUsersAsync(Guid? tenant, DateTimeOffset from, DateTimeOffset to) =>
        GroupsAsync("\"UserId\"", tenant, from, to, "ORDER BY SUM(\"PromptTokens\") + SUM(\"CompletionTokens\") DESC LIMIT 10", byNode: false);

    /// <summary>Refusal and failure rates: the period's counts.</summary>
    public Task<List<RawGroup>> RatesAsync(Guid? tenant, DateTimeOffset from, DateTimeOffset to) => GroupsAsync("1", tenant, from, to);

    public async Task<long> ActivePeopleAsync(Guid? tenant, DateTimeOffset from, DateTimeOffset to)
    {
        await using var connection = Open();
        await using var command = Command(connection, $"SELECT COUNT(*) FROM (SELECT DISTINCT \"TenantId\", \"UserId\" FROM \"UsageRecords\" WHERE {Where(tenant)}) AS people", tenant, from, to);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Medians per model as the product computed them before the speed histograms: every completed answer of
    /// the period read, then sorted per model (exact).
    /// </summary>
    public async Task<Dictionary<string, (long Answers, double FirstTokenMs, double TokensPerSecond)>> MediansAsync(Guid? tenant, DateTimeOffset from, DateTimeOffset to)
    {
        await using var connection = Open();
        await using var command = Command(
            connection,
            $"SELECT \"ModelEntryId\", \"TimeToFirstToken\", \"TokensPerSecond\" FROM \"UsageRecords\" WHERE {Where(tenant)} AND \"CompletionTokens\" > 0 AND \"Outcome\" IN ('Completed', 'Length')",
            tenant, from, to);
        var answers = new Dictionary<string, (List<double> FirstToken, List<double> Speed)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var model = Key(reader.GetValue(0));
                if (!answers.TryGetValue(model, out var lists))
                {
                    answers[model] = lists = ([], []);
                }

                lists.FirstToken.Add(TimeSpan.FromTicks(reader.GetInt64(1)).TotalMilliseconds);
                lists.Speed.Add(reader.GetDouble(2));
            }
        }

        return answers.ToDictionary(a => a.Key, a => ((long)a.Value.FirstToken.Count, UsageReports.Median(a.Value.FirstToken), UsageReports.Median(a.Value.Speed)));
    }

    private async Task<List<RawGroup>> GroupsAsync(string key, Guid? tenant, DateTimeOffset from, DateTimeOffset to, string tail = "", bool byNode = true)
    {
        await using var connection = Open();
        await using var command = Command(
            connection,
            $"""
            SELECT {key}, {(byNode ? "\"Node\"" : "'all'")}, COUNT(*), CAST(SUM("PromptTokens") AS BIGINT), CAST(SUM("CompletionTokens") AS BIGINT),
                   CAST(SUM(CASE WHEN "Outcome" = 'Failed' THEN 1 ELSE 0 END) AS BIGINT),
                   CAST(SUM(CASE WHEN "Outcome" IN ('Refused', 'RefusedByQuota') THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM("Duration") AS BIGINT)
            FROM "UsageRecords" WHERE {Where(tenant)} GROUP BY {key}{(byNode ? ", \"Node\"" : "")} {tail}
            """,
            tenant, from, to);
        var groups = new List<RawGroup>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            groups.Add(new RawGroup(Key(reader.GetValue(0)), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        return groups;
    }

    private static string Key(object value) => value is DBNull ? "" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!.ToUpperInvariant();

    private static string Where(Guid? tenant) => (tenant is null ? "" : "\"TenantId\" = @tenant AND ") + "\"CreatedAt\" >= @from AND \"CreatedAt\" < @to";

    private DbConnection Open()
    {
        DbConnection connection = provider == BenchProvider.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
        connection.Open();
        return connection;
    }

    private DbCommand Command(DbConnection connection, string sql, Guid? tenant, DateTimeOffset from, DateTimeOffset to)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 0;
        void Add(string name, object value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        if (tenant is { } id)
        {
            Add("@tenant", provider == BenchProvider.Sqlite ? id.ToString().ToUpperInvariant() : id);
        }

        Add("@from", provider == BenchProvider.Sqlite ? from.UtcTicks : from.UtcDateTime);
        Add("@to", provider == BenchProvider.Sqlite ? to.UtcTicks : to.UtcDateTime);
        return command;
    }
}
