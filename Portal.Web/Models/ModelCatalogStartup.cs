using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Inference.Gguf;

namespace Portal.Web.Models;

/// <summary>
/// The embedded default at start: with no model registered, the portal writes the tiny test model
/// into the models folder, registers it (labelled a test model: its answers are noise) and grants it
/// to every tenant, so chat works out of the box. Then it loads again the models that were loaded
/// before the last stop. Runs after the bootstrap administrator (registered after it), and in the
/// background so a slow load does not hold up the web server.
/// </summary>
internal sealed partial class ModelCatalogStartup(
    ModelCatalog catalog,
    IServiceScopeFactory scopes,
    IOptions<ModelCatalogOptions> options,
    TimeProvider time,
    ILogger<ModelCatalogStartup> logger) : BackgroundService
{
    /// <summary>The test model's file name in the models folder.</summary>
    public const string TestModelFileName = "portal-tiny-llama.test.gguf";

    /// <summary>Completes once the start-up work is done (tests wait on it).</summary>
    public Task Ready => ready.Task;

    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (options.Value.CreateTestModelWhenEmpty)
            {
                await EnsureTestModelAsync(stoppingToken);
            }

            if (options.Value.LoadOnStart)
            {
                await LoadPreviouslyLoadedAsync(stoppingToken);
            }

            ready.TrySetResult();
        }
        catch (Exception ex)
        {
            ready.TrySetException(ex);
            throw;
        }
    }

    private async Task EnsureTestModelAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        if (await db.ModelEntries.AnyAsync(cancellationToken))
        {
            return;
        }

        var path = Path.Combine(catalog.ModelsFolder, TestModelFileName);
        TestModels.WriteTinyLlama(path);
        var entry = await catalog.RegisterFileAsync(path, isTestModel: true, cancellationToken);
        entry.Name = $"{entry.Name} (test model: answers are noise)";
        entry.State = ModelState.Loaded; // loaded just below, like any model loaded before a stop
        db.ModelEntries.Attach(entry).Property(e => e.Name).IsModified = true;
        db.Entry(entry).Property(e => e.State).IsModified = true;

        using var platform = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginPlatformScope();
        var now = time.GetUtcNow();
        foreach (var tenantId in await db.Tenants.Select(t => t.Id).ToListAsync(cancellationToken))
        {
            db.ModelGrants.Add(new ModelGrant { TenantId = tenantId, ModelEntryId = entry.Id, GrantedAt = now });
        }

        await db.SaveChangesAsync(cancellationToken);
        LogTestModelCreated(path);
    }

    private async Task LoadPreviouslyLoadedAsync(CancellationToken cancellationToken)
    {
        List<Guid> ids;
        await using (var scope = scopes.CreateAsyncScope())
        {
            ids = await scope.ServiceProvider.GetRequiredService<PortalDbContext>().ModelEntries
                .Where(m => m.IsEnabled && (m.State == ModelState.Loaded || m.State == ModelState.Loading))
                .Select(m => m.Id)
                .ToListAsync(cancellationToken);
        }

        foreach (var id in ids)
        {
            try
            {
                await catalog.LoadAsync(id, progress: null, cancellationToken);
            }
            catch (ModelCatalogException)
            {
                // Recorded on the entry (state Failed, llama.cpp's reason) for the admin; the others still load.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No model was registered: wrote and registered the tiny TEST model {Path}; its answers are noise. Add a real GGUF model to chat for real.")]
    private partial void LogTestModelCreated(string path);
}
