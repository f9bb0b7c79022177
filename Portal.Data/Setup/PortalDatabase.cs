using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>
/// Points a <see cref="PortalDbContext"/> at one provider and its migrations assembly. The one
/// place the host, the design-time factories and the tests configure a provider.
/// </summary>
public static class PortalDatabase
{
    /// <summary>Migrations assembly names: each references Portal.Data, so Portal.Data names them as strings.</summary>
    public static string MigrationsAssembly(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => "Portal.Migrations.Sqlite",
        DatabaseProvider.SqlServer => "Portal.Migrations.SqlServer",
        DatabaseProvider.PostgreSql => "Portal.Migrations.PostgreSql",
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
    };

    public static TBuilder UsePortalDatabase<TBuilder>(
        this TBuilder options, DatabaseProvider provider, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var migrations = MigrationsAssembly(provider);
        _ = provider switch
        {
            DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o.MigrationsAssembly(migrations)),
            DatabaseProvider.SqlServer => options.UseSqlServer(connectionString, o => o.MigrationsAssembly(migrations)),
            DatabaseProvider.PostgreSql => options.UseNpgsql(connectionString, o => o.MigrationsAssembly(migrations)),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
        };
        return options;
    }
}
