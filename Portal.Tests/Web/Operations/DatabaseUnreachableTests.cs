using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Data;
using Portal.Web.Operations;

namespace Portal.Tests.Web.Operations;

/// <summary>
/// The database checks against a PostgreSQL address where nothing listens (a loopback port just closed):
/// a real Npgsql connection attempt that is refused, as when the database server is down.
/// </summary>
public sealed class DatabaseUnreachableTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DatabaseAndMigrationsChecks_PostgreSqlPortClosed_Unhealthy()
    {
        await using var services = ServicesFor($"Host=127.0.0.1;Port={ClosedLoopbackPort()};Database=portal;Username=portal;Password=unused;Timeout=5;Pooling=false");
        var scopes = services.GetRequiredService<IServiceScopeFactory>();

        var database = await new DatabaseHealthCheck(scopes).CheckHealthAsync(new HealthCheckContext(), Cancel);
        var migrations = await new MigrationsHealthCheck(scopes).CheckHealthAsync(new HealthCheckContext(), Cancel);

        Assert.Equal(HealthStatus.Unhealthy, database.Status);
        Assert.StartsWith("The database (Npgsql.EntityFrameworkCore.PostgreSQL) cannot be reached", database.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, migrations.Status);
        Assert.StartsWith("The applied migrations cannot be read", migrations.Description, StringComparison.Ordinal);
    }

    private static ServiceProvider ServicesFor(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddScoped<ITenantContext, TenantContext>();
        services.AddDbContext<PortalDbContext>(options => options.UsePortalDatabase(DatabaseProvider.PostgreSql, connectionString));
        return services.BuildServiceProvider();
    }

    /// <summary>A loopback port that was free a moment ago and is closed now: a connection to it is refused at once.</summary>
    private static int ClosedLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
