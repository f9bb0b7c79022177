using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Inference.Gguf;
using Portal.Web.Audit;

namespace Portal.Web.Models;

/// <summary>
/// Registers GGUF files copied into the models folder by hand (air-gapped sites): each new file is
/// validated and hashed like an upload; an invalid one is reported and left unregistered.
/// </summary>
public sealed partial class ModelFolderScanner(ModelFolder folder, ModelCatalog catalog, IServiceScopeFactory scopes, ILogger<ModelFolderScanner> logger) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    public async Task<FolderScanReport> ScanAsync(Guid? actorUserId, CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var db = services.GetRequiredService<PortalDbContext>();
            var known = await db.ModelEntries.AsNoTracking().Select(m => m.FileName).ToListAsync(cancellationToken);
            var knownNames = known.ToHashSet(StringComparer.Ordinal);

            var registered = new List<string>();
            var refused = new List<RefusedModelFile>();
            foreach (var path in folder.ModelFiles())
            {
                var fileName = Path.GetFileName(path);
                if (knownNames.Contains(fileName))
                {
                    continue;
                }

                try
                {
                    var model = await catalog.RegisterFileAsync(path, isTestModel: false, cancellationToken);
                    registered.Add(fileName);
                    services.GetRequiredService<AuditLog>().Add(db, new AuditEntry(
                        "model.registered_from_folder", actorUserId, $"model:{model.Id}",
                        After: new { model.Name, model.FileName, model.SizeBytes, model.Sha256 }));
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (GgufValidationException e)
                {
                    refused.Add(new RefusedModelFile(fileName, $"{e.Code}: {e.Message}"));
                    LogRefused(fileName, e.Message);
                }
                catch (ModelCatalogException e)
                {
                    refused.Add(new RefusedModelFile(fileName, e.Message));
                    LogRefused(fileName, e.Message);
                }
                catch (IOException e)
                {
                    // A file still being copied in (held open by the copier) or unreadable: reported, and
                    // registered by a later scan once it can be read. A scan never stops the portal.
                    var reason = $"The file could not be read ({e.Message}). If it is still being copied, press Rescan when the copy has finished.";
                    refused.Add(new RefusedModelFile(fileName, reason));
                    LogRefused(fileName, reason);
                }
            }

            return new FolderScanReport(registered, refused);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    public void Dispose() => _oneAtATime.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model file {FileName} in the models folder was not registered: {Reason}")]
    private partial void LogRefused(string fileName, string reason);
}

public sealed record RefusedModelFile(string FileName, string Reason);

/// <summary>What a scan of the models folder did: files registered, and files refused with the reason.</summary>
public sealed record FolderScanReport(IReadOnlyList<string> Registered, IReadOnlyList<RefusedModelFile> Refused);
