using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Web.Audit;
using Portal.Web.Models;

namespace Portal.Web.Admin;

/// <summary>
/// The model registry for platform administrators: defaults, enable and disable, grants to tenants,
/// load and unload (through <see cref="ModelCatalog"/>), delete. Every change is audited.
/// </summary>
public sealed class ModelAdministration(
    PortalDbContext db,
    ITenantContext tenantContext,
    ModelCatalog catalog,
    AuditLog audit,
    TimeProvider time)
{
    public async Task<IReadOnlyList<ModelView>> ListAsync(AdminActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        using var platform = tenantContext.BeginPlatformScope();
        // Endpoint models have their own page (Endpoints/EndpointModelAdministration); this is the GGUF registry.
        var models = await db.ModelEntries.AsNoTracking().Where(m => m.Kind == ModelKind.GgufFile).OrderBy(m => m.Name).ToListAsync(cancellationToken);
        var grants = await db.ModelGrants.AsNoTracking().Select(g => new { g.ModelEntryId, g.TenantId }).ToListAsync(cancellationToken);
        return models
            .Select(m => new ModelView(
                m,
                grants.Where(g => g.ModelEntryId == m.Id).Select(g => g.TenantId).ToHashSet(),
                catalog.IsLoaded(m.Id),
                catalog.IsInUse(m.Id)))
            .ToList();
    }

    public Task UpdateDefaultsAsync(AdminActor actor, Guid modelId, ModelDefaults defaults, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (defaults.ContextSize is < 32 or > 1_048_576 || defaults.GpuLayers is < -1 or > 1000 || defaults.Threads is < 0 or > 1024 || defaults.ParallelSlots is < 1 or > 256)
        {
            throw new AdminException(AdminFailure.Invalid, "Context size must be 32 to 1,048,576; GPU layers -1 to 1000 (-1: all); threads 0 to 1024 (0: automatic); parallel slots 1 to 256.");
        }

        return ChangeAsync(actor, modelId, "model.defaults_changed", m =>
        {
            m.DefaultContextSize = defaults.ContextSize;
            m.DefaultGpuLayers = defaults.GpuLayers;
            m.DefaultThreads = defaults.Threads;
            m.DefaultParallelSlots = defaults.ParallelSlots;
        }, cancellationToken);
    }

    public Task SetEnabledAsync(AdminActor actor, Guid modelId, bool enabled, CancellationToken cancellationToken) =>
        ChangeAsync(actor, modelId, enabled ? "model.enabled" : "model.disabled", m => m.IsEnabled = enabled, cancellationToken);

    /// <summary>Makes exactly <paramref name="tenantIds"/> the tenants that may use the model.</summary>
    public async Task SetGrantsAsync(AdminActor actor, Guid modelId, IReadOnlyCollection<Guid> tenantIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(tenantIds);
        actor.RequirePlatformAdmin();
        using var platform = tenantContext.BeginPlatformScope();
        await FindAsync(modelId, cancellationToken);
        var known = await db.Tenants.Where(t => tenantIds.Contains(t.Id)).Select(t => t.Id).ToListAsync(cancellationToken);
        if (known.Count != tenantIds.Distinct().Count())
        {
            throw new AdminException(AdminFailure.NotFound, "One of those tenants does not exist.");
        }

        var current = await db.ModelGrants.Where(g => g.ModelEntryId == modelId).ToListAsync(cancellationToken);
        var before = current.Select(g => g.TenantId).Order().ToList();
        db.ModelGrants.RemoveRange(current.Where(g => !known.Contains(g.TenantId)));
        foreach (var tenantId in known.Where(id => current.All(g => g.TenantId != id)))
        {
            db.ModelGrants.Add(new ModelGrant { TenantId = tenantId, ModelEntryId = modelId, GrantedAt = time.GetUtcNow() });
        }

        audit.Add(db, new AuditEntry("model.grants_changed", actor.UserId, $"model:{modelId}", new { Tenants = before }, new { Tenants = known.Order().ToList() }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Loads the model; a refusal (changed file, llama.cpp's error) is recorded on the model and returned as the message.</summary>
    public async Task LoadAsync(AdminActor actor, Guid modelId, IProgress<float>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var model = await FindAsync(modelId, cancellationToken);
        try
        {
            await catalog.LoadAsync(modelId, progress, cancellationToken);
            await audit.RecordAsync(db, new AuditEntry("model.loaded", actor.UserId, $"model:{modelId}", After: new { model.Name, model.FileName }), cancellationToken);
        }
        catch (ModelCatalogException e)
        {
            await audit.RecordAsync(db, new AuditEntry("model.load_failed", actor.UserId, $"model:{modelId}", After: new { model.Name, Reason = e.Message }), CancellationToken.None);
            throw new AdminException(AdminFailure.Invalid, e.Message);
        }
    }

    public async Task UnloadAsync(AdminActor actor, Guid modelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var model = await FindAsync(modelId, cancellationToken);
        await catalog.UnloadAsync(modelId, cancellationToken);
        await audit.RecordAsync(db, new AuditEntry("model.unloaded", actor.UserId, $"model:{modelId}", After: new { model.Name, model.FileName }), cancellationToken);
    }

    /// <summary>Removes the model, its grants and its file; refused while it is loaded or answering.</summary>
    public async Task DeleteAsync(AdminActor actor, Guid modelId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var model = await FindAsync(modelId, cancellationToken);
        if (catalog.IsInUse(modelId) || catalog.IsLoaded(modelId))
        {
            throw new AdminException(AdminFailure.Invalid, $"Model '{model.Name}' is loaded{(catalog.IsInUse(modelId) ? " and answering" : "")}; unload it before deleting.");
        }

        var path = catalog.PathOf(model);
        db.ModelEntries.Remove(model);
        audit.Add(db, new AuditEntry("model.deleted", actor.UserId, $"model:{modelId}", Before: new { model.Name, model.FileName, model.Sha256, model.SizeBytes }));
        using (tenantContext.BeginPlatformScope())
        {
            await db.SaveChangesAsync(cancellationToken); // grants go with it (cascade)
        }

        File.Delete(path);
    }

    private async Task ChangeAsync(AdminActor actor, Guid modelId, string action, Action<ModelEntry> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var model = await FindAsync(modelId, cancellationToken);
        var before = Settings(model);
        change(model);
        audit.Add(db, new AuditEntry(action, actor.UserId, $"model:{modelId}", before, Settings(model)));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task<ModelEntry> FindAsync(Guid modelId, CancellationToken cancellationToken) =>
        await db.ModelEntries.SingleOrDefaultAsync(m => m.Id == modelId, cancellationToken)
        ?? throw new AdminException(AdminFailure.NotFound, "That model does not exist.");

    private static object Settings(ModelEntry m) =>
        new { m.IsEnabled, m.DefaultContextSize, m.DefaultGpuLayers, m.DefaultThreads, m.DefaultParallelSlots };
}

/// <summary>A registered model with the tenants it is granted to and what the engine is doing with it.</summary>
public sealed record ModelView(ModelEntry Model, IReadOnlySet<Guid> GrantedTenantIds, bool IsLoaded, bool IsInUse);

public sealed record ModelDefaults(int ContextSize, int GpuLayers, int Threads, int ParallelSlots);
