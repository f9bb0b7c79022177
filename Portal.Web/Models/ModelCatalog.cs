using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;

namespace Portal.Web.Models;

/// <summary>
/// Model hosting: registers GGUF files of the models folder as <see cref="ModelEntry"/>s (validated,
/// described and hashed before any native code reads them) and loads them into the in-process engine,
/// recording the state and llama.cpp's reason on failure. The engine knows a model by the entry's id.
/// </summary>
public sealed partial class ModelCatalog(
    IServiceScopeFactory scopes,
    IInferenceEngine engine,
    IOptions<ModelCatalogOptions> options,
    IOptions<PortalDataOptions> dataOptions,
    TimeProvider time,
    ILogger<ModelCatalog> logger) : IDisposable
{
    private readonly SemaphoreSlim loadLock = new(1, 1);
    private readonly ConcurrentDictionary<Guid, int> generationsInFlight = new();

    /// <summary>The models folder, absolute; created on first use.</summary>
    public string ModelsFolder
    {
        get
        {
            var folder = string.IsNullOrWhiteSpace(options.Value.Folder)
                ? Path.Combine(dataOptions.Value.DataDirectory, "models")
                : Path.GetFullPath(options.Value.Folder);
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>The absolute path of a registered model's file.</summary>
    public string PathOf(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Path.Combine(ModelsFolder, entry.FileName);
    }

    /// <summary>
    /// Validates, describes and hashes the GGUF file at <paramref name="path"/> (inside the models folder)
    /// and registers it. Throws <see cref="GgufValidationException"/> for an invalid file and
    /// <see cref="ModelCatalogException"/> for a file outside the folder or one already registered;
    /// nothing is stored then.
    /// </summary>
    public async Task<ModelEntry> RegisterFileAsync(string path, bool isTestModel, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var folder = ModelsFolder;
        if (!string.Equals(Path.GetDirectoryName(fullPath), folder.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new ModelCatalogException($"Only files directly inside the models folder '{folder}' can be registered, not '{fullPath}'.");
        }

        if (!File.Exists(fullPath))
        {
            throw new ModelCatalogException($"The model file '{fullPath}' does not exist.");
        }

        var info = await GgufInspector.InspectAsync(fullPath, cancellationToken);
        var fileName = Path.GetFileName(fullPath);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        if (await db.ModelEntries.FirstOrDefaultAsync(m => m.FileName == fileName || m.Sha256 == info.Sha256, cancellationToken) is { } existing)
        {
            throw new ModelCatalogException(existing.FileName == fileName
                ? $"The file '{fileName}' is already registered as model '{existing.Name}'."
                : $"The same file (SHA-256 {info.Sha256}) is already registered as model '{existing.Name}' ({existing.FileName}).");
        }

        var entry = new ModelEntry
        {
            Name = string.IsNullOrWhiteSpace(info.Name) ? Path.GetFileNameWithoutExtension(fileName) : info.Name,
            FileName = fileName,
            SizeBytes = info.FileSize,
            Sha256 = info.Sha256!,
            Architecture = info.Architecture,
            ParameterCount = (long)Math.Min(info.ParameterCount, long.MaxValue),
            Quantisation = info.Quantization,
            ContextLength = (int)Math.Clamp(info.ContextLength ?? 0, 0, int.MaxValue),
            LayerCount = info.LayerCount ?? 0,
            VocabularySize = info.VocabularySize,
            ChatTemplate = info.ChatTemplate,
            IsTestModel = isTestModel,
            CreatedAt = time.GetUtcNow(),
        };
        db.ModelEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        LogRegistered(entry.Name, entry.Id, entry.Sha256);
        return entry;
    }

    /// <summary>
    /// Loads a registered model into the engine. The file's SHA-256 is checked again first: a file
    /// changed since registration is refused. The entry's state goes Loading, then Loaded or Failed
    /// (with llama.cpp's reason in <see cref="ModelEntry.FailureReason"/>); failure throws
    /// <see cref="ModelCatalogException"/> with that reason.
    /// </summary>
    public async Task<LoadedModelInfo> LoadAsync(Guid modelEntryId, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        await loadLock.WaitAsync(cancellationToken);
        try
        {
            if (Loaded(modelEntryId) is { } already)
            {
                return already;
            }

            var entry = await SetStateAsync(modelEntryId, ModelState.Loading, null, cancellationToken);
            if (!entry.IsEnabled)
            {
                await SetStateAsync(modelEntryId, ModelState.Unloaded, null, cancellationToken);
                throw new ModelCatalogException($"Model '{entry.Name}' is disabled; enable it before loading.");
            }

            var path = PathOf(entry);
            string reason;
            try
            {
                var sha256 = await GgufFile.ComputeSha256Async(path, cancellationToken);
                if (!string.Equals(sha256, entry.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    reason = $"The file '{entry.FileName}' changed since it was registered (SHA-256 {sha256}, registered {entry.Sha256}); register it again.";
                }
                else
                {
                    var contextSize = Math.Min(options.Value.MaxContextSize, entry.ContextLength > 0 ? Math.Min(entry.DefaultContextSize, entry.ContextLength) : entry.DefaultContextSize);
                    var request = new ModelLoadRequest(EngineId(entry.Id), path)
                    {
                        ContextSize = contextSize,
                        Slots = entry.DefaultParallelSlots > 0 ? entry.DefaultParallelSlots : null,
                        GpuLayers = entry.DefaultGpuLayers != 0 ? entry.DefaultGpuLayers : null,
                        Sha256 = entry.Sha256,
                        SizeBytes = entry.SizeBytes,
                    };
                    var loaded = await engine.LoadAsync(request, progress, cancellationToken);
                    await SetStateAsync(modelEntryId, ModelState.Loaded, null, CancellationToken.None);
                    LogLoaded(entry.Name, loaded.ContextSize, loaded.Slots);
                    return loaded;
                }
            }
            catch (FileNotFoundException)
            {
                reason = $"The file '{entry.FileName}' is missing from the models folder.";
            }
            catch (InferenceException ex)
            {
                reason = ex.Message;
            }
            catch (OperationCanceledException)
            {
                await SetStateAsync(modelEntryId, ModelState.Unloaded, null, CancellationToken.None);
                throw;
            }

            await SetStateAsync(modelEntryId, ModelState.Failed, reason, CancellationToken.None);
            LogLoadFailed(entry.Name, reason);
            throw new ModelCatalogException(reason);
        }
        finally
        {
            loadLock.Release();
        }
    }

    /// <summary>Unloads the model: its running generations end as cancelled. Unloading a model not loaded only records the state.</summary>
    public async Task UnloadAsync(Guid modelEntryId, CancellationToken cancellationToken = default)
    {
        await loadLock.WaitAsync(cancellationToken);
        try
        {
            if (IsLoaded(modelEntryId))
            {
                await engine.UnloadAsync(EngineId(modelEntryId), cancellationToken);
            }

            await SetStateAsync(modelEntryId, ModelState.Unloaded, null, CancellationToken.None);
        }
        finally
        {
            loadLock.Release();
        }
    }

    public bool IsLoaded(Guid modelEntryId) => Loaded(modelEntryId) is not null;

    /// <summary>True while at least one generation runs on the model.</summary>
    public bool IsInUse(Guid modelEntryId) => generationsInFlight.TryGetValue(modelEntryId, out var count) && count > 0;

    /// <summary>The engine's view of a loaded model (context size, slots), or null.</summary>
    public LoadedModelInfo? Loaded(Guid modelEntryId)
    {
        var id = EngineId(modelEntryId);
        return engine.LoadedModels.FirstOrDefault(m => m.ModelId == id);
    }

    /// <summary>The name the engine knows a registered model by.</summary>
    public static string EngineId(Guid modelEntryId) => modelEntryId.ToString("N");

    /// <summary>Counts a generation on the model until the returned handle is disposed (<see cref="IsInUse"/>).</summary>
    public IDisposable TrackGeneration(Guid modelEntryId)
    {
        generationsInFlight.AddOrUpdate(modelEntryId, 1, (_, count) => count + 1);
        return new GenerationTracker(this, modelEntryId);
    }

    public void Dispose() => loadLock.Dispose();

    private async Task<ModelEntry> SetStateAsync(Guid modelEntryId, ModelState state, string? failureReason, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var entry = await db.ModelEntries.FirstOrDefaultAsync(m => m.Id == modelEntryId, cancellationToken)
            ?? throw new ModelCatalogException($"No model with id {modelEntryId} is registered.");
        entry.State = state;
        entry.FailureReason = failureReason;
        await db.SaveChangesAsync(cancellationToken);
        return entry;
    }

    private sealed class GenerationTracker(ModelCatalog catalog, Guid modelEntryId) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                catalog.generationsInFlight.AddOrUpdate(modelEntryId, 0, (_, count) => Math.Max(0, count - 1));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered model {Name} ({ModelEntryId}), SHA-256 {Sha256}")]
    private partial void LogRegistered(string name, Guid modelEntryId, string sha256);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded model {Name}: context {ContextSize} tokens, {Slots} slots")]
    private partial void LogLoaded(string name, int contextSize, int slots);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Name} failed to load: {Reason}")]
    private partial void LogLoadFailed(string name, string reason);
}
