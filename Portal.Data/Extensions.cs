using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Portal.Data;

public static class PortalDataExtensions
{
    /// <summary>
    /// Registers the portal's database: options (<c>Database</c>, <c>Portal:DataDirectory</c>,
    /// <c>ConnectionStrings:Portal</c>), the scoped <see cref="ITenantContext"/>, the
    /// <see cref="PortalDbContext"/> (and a scoped factory for Blazor components) and the
    /// <see cref="PortalDatabaseMigrator"/>. Does not migrate.
    /// </summary>
    public static IHostApplicationBuilder AddPortalData(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPortalDataOptions();
        builder.Services.TryAddScoped<ITenantContext, TenantContext>();
        builder.Services.AddPortalDbContext();
        builder.Services.TryAddScoped<PortalDatabaseMigrator>();
        return builder;
    }

    private static void AddPortalDataOptions(this IServiceCollection services)
    {
        services.AddOptions<PortalDataOptions>()
            .BindConfiguration(PortalDataOptions.SectionName)
            .PostConfigure<IHostEnvironment>((options, environment) =>
                options.DataDirectory = string.IsNullOrWhiteSpace(options.DataDirectory)
                    ? options.DataDirectory
                    : Path.GetFullPath(options.DataDirectory, environment.ContentRootPath))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) =>
                options.ConnectionString ??= configuration.GetConnectionString(DatabaseOptions.ConnectionStringName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }

    private static void AddPortalDbContext(this IServiceCollection services)
    {
        // Scoped factory: a context it creates gets the ITenantContext of the same scope (request
        // or circuit). It also registers PortalDbContext itself as scoped.
        services.AddDbContextFactory<PortalDbContext>(
            (serviceProvider, options) =>
            {
                var database = serviceProvider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
                var connectionString = database.ConnectionString;
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    // Only SQLite gets here (validation demands a connection string for the others).
                    var data = serviceProvider.GetRequiredService<IOptions<PortalDataOptions>>().Value;
                    Directory.CreateDirectory(data.DataDirectory);
                    connectionString = data.DefaultSqliteConnectionString();
                }

                options.UsePortalDatabase(database.Provider, connectionString);
            },
            ServiceLifetime.Scoped);
    }
}
