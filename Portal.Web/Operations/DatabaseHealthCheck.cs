using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Data;

namespace Portal.Web.Operations;

/// <summary>Ready check "database": the portal database answers a connection.</summary>
internal sealed class DatabaseHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database;
        try
        {
            return await database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy($"The database ({database.ProviderName}) answers.")
                : HealthCheckResult.Unhealthy($"The database ({database.ProviderName}) cannot be reached or does not exist.");
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException)
        {
            return HealthCheckResult.Unhealthy($"The database ({database.ProviderName}) cannot be reached: {ex.Message}", ex);
        }
    }
}
