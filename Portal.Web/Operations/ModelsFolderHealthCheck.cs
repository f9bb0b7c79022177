using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Web.Models;

namespace Portal.Web.Operations;

/// <summary>Ready check "models-folder": a file can be created in the models folder (uploads and the test model are written there).</summary>
internal sealed class ModelsFolderHealthCheck(ModelCatalog catalog) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string? folder = null;
        try
        {
            folder = catalog.ModelsFolder;
            var probe = Path.Combine(folder, $".health-{Guid.NewGuid():N}.tmp");
            await using (var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                await file.WriteAsync(new byte[] { 1 }, cancellationToken);
            }

            return HealthCheckResult.Healthy($"The models folder '{folder}' is writable.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Without a folder, the folder itself could not be created: the exception names its path.
            return HealthCheckResult.Unhealthy(folder is null ? $"The models folder is not writable: {ex.Message}" : $"The models folder '{folder}' is not writable: {ex.Message}", ex);
        }
    }
}
