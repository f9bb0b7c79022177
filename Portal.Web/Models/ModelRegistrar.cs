using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Inference.Gguf;

namespace Portal.Web.Models;

/// <summary>
/// Validates, hashes and registers a file that already sits in the models folder.
/// Invalid files raise <see cref="GgufValidationException"/>; a file whose hash or name is already
/// registered raises <see cref="UploadException"/> with <see cref="UploadFailure.Refused"/>.
/// </summary>
public sealed class ModelRegistrar(PortalDbContext db, ITenantContext tenantContext, TimeProvider time)
{
    public async Task<ModelEntry> RegisterFileAsync(string path, bool isTestModel, CancellationToken cancellationToken)
    {
        var info = await GgufInspector.InspectAsync(path, cancellationToken);
        var fileName = Path.GetFileName(path);
        using var platform = tenantContext.BeginPlatformScope();
        var existing = await db.ModelEntries.AsNoTracking()
            .FirstOrDefaultAsync(m => m.Sha256 == info.Sha256 || m.FileName == fileName, cancellationToken);
        if (existing is not null)
        {
            throw new UploadException(UploadFailure.Refused,
                existing.Sha256 == info.Sha256
                    ? $"This file is already registered as model '{existing.Name}' (SHA-256 {info.Sha256})."
                    : $"A model with the file name '{fileName}' is already registered.");
        }

        var entry = new ModelEntry
        {
            Name = info.Name ?? Path.GetFileNameWithoutExtension(fileName),
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
        return entry;
    }
}
