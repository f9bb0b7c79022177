using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Data;

namespace Portal.Tests.Data.Infrastructure;

/// <summary>
/// One empty, real database: a SQLite file in a temp folder, or a uniquely named database in the
/// test PostgreSQL cluster. Dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _sqliteFile;
    private readonly string? _postgresAdminConnectionString;
    private readonly string? _postgresDatabase;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? sqliteFile, string? postgresAdmin, string? postgresDatabase)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _sqliteFile = sqliteFile;
        _postgresAdminConnectionString = postgresAdmin;
        _postgresDatabase = postgresDatabase;
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider, CancellationToken cancellationToken)
    {
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                var folder = Directory.CreateTempSubdirectory("portal-tests-").FullName;
                var file = Path.Combine(folder, "portal.db");

                // No pooling, so the file is closed (and deletable) once a context is disposed.
                var sqlite = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false };
                return new TestDatabase(provider, sqlite.ConnectionString, file, null, null);

            case DatabaseProvider.PostgreSql:
                var admin = DatabaseProviders.PostgresConnectionString;
                Assert.SkipWhen(admin is null, DatabaseProviders.PostgresSkipReason);
                var name = $"portal_test_{Guid.NewGuid():N}";
                await using (var connection = new NpgsqlConnection(admin))
                {
                    await connection.OpenAsync(cancellationToken);
                    await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
                return new TestDatabase(provider, builder.ConnectionString, null, admin, name);

            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "No test database for this provider.");
        }
    }

    public DbContextOptions<PortalDbContext> Options() =>
        new DbContextOptionsBuilder<PortalDbContext>().UsePortalDatabase(Provider, ConnectionString).Options;

    public PortalDbContext CreateContext(ITenantContext tenantContext) => new(Options(), tenantContext);

    /// <summary>Applies the provider's migrations through the same migrator the host's --migrate uses.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = CreateContext(new TenantContext());
        var migrator = new PortalDatabaseMigrator(db, Microsoft.Extensions.Logging.Abstractions.NullLogger<PortalDatabaseMigrator>.Instance);
        await migrator.MigrateAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqliteFile is not null)
        {
            Directory.Delete(Path.GetDirectoryName(_sqliteFile)!, recursive: true);
        }

        if (_postgresDatabase is not null)
        {
            NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
            await using var connection = new NpgsqlConnection(_postgresAdminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_postgresDatabase}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
