namespace Portal.Data.Migrations;

/// <summary>
/// The data step of the migration that added the coarse rollups (<c>UsageDailyTotals</c>,
/// <c>UsageMonthlyPersonRollups</c>, <c>UsageMonthlySpeedRollups</c>): fills them from the daily rollups
/// an existing database already holds, so reports over its past read the same numbers as before. Runs after
/// the three tables are created. Kept apart from the generated migration so that a regenerated migration
/// can call it again.
/// </summary>
public static class UsageRollupsDataStep
{
    private const string Sums = "\"Requests\", \"Completed\", \"Stopped\", \"Failed\", \"RefusedByPolicy\", \"RefusedByQuota\", \"PromptTokens\", \"CompletionTokens\", \"BusyTicks\"";

    public static string FillFromDailyRollups(string? activeProvider)
    {
        var (newId, month) = activeProvider switch
        {
            "Microsoft.EntityFrameworkCore.SqlServer" => ("NEWID()", "DATEFROMPARTS(YEAR(\"Day\"), MONTH(\"Day\"), 1)"),
            "Npgsql.EntityFrameworkCore.PostgreSQL" => ("gen_random_uuid()", "CAST(date_trunc('month', \"Day\") AS date)"),

            // SQLite keeps a Guid as upper-case text and a date as yyyy-MM-dd text.
            "Microsoft.EntityFrameworkCore.Sqlite" => (
                "upper(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21))",
                "substr(\"Day\", 1, 8) || '01'"),
            _ => throw new NotSupportedException($"No usage-rollup data step for the provider {activeProvider}."),
        };

        // SQLite draws each id from a random blob named h in a subquery; elsewhere the subquery passes the groups through.
        var from = activeProvider == "Microsoft.EntityFrameworkCore.Sqlite" ? "(SELECT hex(randomblob(16)) AS h, g.* FROM ({0}) AS g)" : "({0}) AS g";
        string Insert(string table, string keys, string values, string groups) =>
            $"INSERT INTO \"{table}\" (\"Id\", {keys}, {values}) SELECT {newId}, {keys}, {values} FROM {string.Format(System.Globalization.CultureInfo.InvariantCulture, from, groups)};";

        return string.Join(
            "\n",
            Insert(
                "UsageDailyTotals",
                "\"TenantId\", \"Day\", \"ModelEntryId\", \"WorkspaceKey\", \"Node\"",
                Sums,
                $"SELECT \"TenantId\", \"Day\", \"ModelEntryId\", \"WorkspaceKey\", \"Node\", {SumsAs()} FROM \"UsageDailyRollups\" GROUP BY \"TenantId\", \"Day\", \"ModelEntryId\", \"WorkspaceKey\", \"Node\""),
            Insert(
                "UsageMonthlyPersonRollups",
                "\"TenantId\", \"Month\", \"UserId\", \"Node\"",
                Sums,
                $"SELECT \"TenantId\", {month} AS \"Month\", \"UserId\", \"Node\", {SumsAs()} FROM \"UsageDailyRollups\" GROUP BY \"TenantId\", {month}, \"UserId\", \"Node\""),
            Insert(
                "UsageMonthlySpeedRollups",
                "\"TenantId\", \"Month\", \"ModelEntryId\", \"Measure\", \"Bucket\"",
                "\"Answers\"",
                $"SELECT \"TenantId\", {month} AS \"Month\", \"ModelEntryId\", \"Measure\", \"Bucket\", SUM(\"Answers\") AS \"Answers\" FROM \"UsageSpeedRollups\" GROUP BY \"TenantId\", {month}, \"ModelEntryId\", \"Measure\", \"Bucket\""));
    }

    private static string SumsAs() => string.Join(", ", Sums.Split(", ").Select(c => $"SUM({c}) AS {c}"));
}
