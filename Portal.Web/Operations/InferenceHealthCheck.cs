using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Inference.Engine;
using Portal.Web.Models;

namespace Portal.Web.Operations;

/// <summary>
/// Ready check "inference": where the catalog says models are loaded, at least one of them runs in
/// the inference engine. Today the engine is in-process (<see cref="IInferenceEngine"/>); when models
/// run in worker processes, this is the one class to point at the workers' state.
/// A portal with no model loaded is ready (there is nothing to serve); one whose loaded models are all
/// missing from the engine (still loading at start, or the engine lost them) is not. Some missing: degraded.
/// </summary>
internal sealed class InferenceHealthCheck(IServiceScopeFactory scopes, IInferenceEngine engine) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        List<(Guid Id, string Name)> expected;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var rows = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ModelEntries.AsNoTracking()
                .Where(m => m.IsEnabled && m.State == ModelState.Loaded)
                .Select(m => new { m.Id, m.Name })
                .ToListAsync(cancellationToken);
            expected = [.. rows.Select(r => (r.Id, r.Name))];
        }

        if (expected.Count == 0)
        {
            return HealthCheckResult.Healthy("No model is loaded: nothing to serve.");
        }

        var running = engine.LoadedModels.Select(m => m.ModelId).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Where(m => !running.Contains(ModelCatalog.EngineId(m.Id))).Select(m => m.Name).ToList();
        var data = new Dictionary<string, object> { ["loaded"] = expected.Count - missing.Count, ["missing"] = missing };
        return missing.Count == 0 ? HealthCheckResult.Healthy($"All {expected.Count} loaded model(s) run in the inference engine.", data)
            : missing.Count < expected.Count ? HealthCheckResult.Degraded($"{missing.Count} of {expected.Count} loaded model(s) do not run in the inference engine: {string.Join(", ", missing)}.", data: data)
            : HealthCheckResult.Unhealthy($"None of the {expected.Count} loaded model(s) runs in the inference engine (still loading at start, or the engine stopped): {string.Join(", ", missing)}.", data: data);
    }
}
