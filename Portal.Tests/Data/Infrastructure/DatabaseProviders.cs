using Portal.Data;

namespace Portal.Tests.Data.Infrastructure;

/// <summary>
/// The providers a data-access theory runs on: SQLite always, PostgreSQL when ./test.sh has started
/// a throwaway cluster and exported <see cref="PostgresVariable"/>; otherwise that row is skipped,
/// saying why (bitwarden's DatabaseTheory, with xunit v3 theory rows).
/// </summary>
public static class DatabaseProviders
{
    public const string PostgresVariable = "PORTAL_TEST_POSTGRES";

    public static string? PostgresConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    public static string PostgresSkipReason =>
        $"{PostgresVariable} is not set: run ./test.sh, which starts a throwaway PostgreSQL cluster " +
        "(infra/scripts/postgres-test-cluster.sh) for these tests.";

    public static IEnumerable<TheoryDataRow<DatabaseProvider>> All =>
    [
        new(DatabaseProvider.Sqlite),
        new(DatabaseProvider.PostgreSql) { Skip = PostgresConnectionString is null ? PostgresSkipReason : null },
    ];
}
