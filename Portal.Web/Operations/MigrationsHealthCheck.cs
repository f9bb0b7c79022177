using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Data;

namespace Portal.Web.Operations;

/// <summary>
/// Ready check "migrations": every migration this build knows is applied. A node of a newer build in
/// front of an older database is not ready until someone runs <c>--migrate</c> (a start never migrates).
/// </summary>
internal sealed class MigrationsHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<PortalDbContext>().Database;
        List<string> pending;
        try
        {
            pending = [.. await database.GetPendingMigrationsAsync(cancellationToken)];
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or IOException)
        {
            return HealthCheckResult.Unhealthy($"The applied migrations cannot be read: {ex.Message}", ex);
        }

        return pending.Count == 0
            ? HealthCheckResult.Healthy("Every migration is applied.")
            : HealthCheckResult.Unhealthy(
                $"{pending.Count} migration(s) pending, the first being {pending[0]}; apply them with `dotnet Portal.Web.dll --migrate`.",
                data: new Dictionary<string, object> { ["pending"] = pending });
    }
}
