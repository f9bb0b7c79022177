using Microsoft.EntityFrameworkCore;
using Portal.Domain.Models;
using Portal.Inference.Gguf;
using Portal.Web.Models;

namespace Portal.Tests.Web.Chat;

/// <summary>A first start over an empty data folder: the portal makes, registers, grants and loads the tiny test model.</summary>
public sealed class EmbeddedDefaultTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FirstStart_EmptyDataFolder_TestModelRegisteredLabelledGrantedAndLoaded()
    {
        var entry = await app.Factory.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.FileName == ModelCatalogStartup.TestModelFileName, Cancel));
        var grantedTo = await app.Factory.QueryAsync(db => db.ModelGrants.Where(g => g.ModelEntryId == entry.Id).Select(g => g.TenantId).ToListAsync(Cancel));
        var defaultTenant = await app.Factory.QueryAsync(db => db.Tenants.SingleAsync(t => t.Name == "Default", Cancel));
        var path = Path.Combine(app.Factory.DataDirectory, "models", ModelCatalogStartup.TestModelFileName);

        Assert.True(entry.IsTestModel);
        Assert.Contains("test model: answers are noise", entry.Name, StringComparison.Ordinal);
        Assert.Equal((ModelState.Loaded, null), (entry.State, entry.FailureReason));
        Assert.True(File.Exists(path));
        Assert.Equal(entry.Sha256, await GgufFile.ComputeSha256Async(path, Cancel));
        Assert.Equal("llama", entry.Architecture);
        Assert.Contains(defaultTenant.Id, grantedTo);
        Assert.True(app.Catalog.IsLoaded(entry.Id));
    }

    [Fact]
    public async Task Load_FileChangedSinceRegistration_RefusedAndMarkedFailed()
    {
        var path = Path.Combine(app.Catalog.ModelsFolder, $"changed-{Guid.NewGuid():N}.gguf");
        TestModels.WriteTinyLlama(path, seed: 99);
        var entry = await app.Catalog.RegisterFileAsync(path, isTestModel: true, Cancel);
        TestModels.WriteTinyLlama(path, seed: 100);

        var refused = await Assert.ThrowsAsync<ModelCatalogException>(() => app.Catalog.LoadAsync(entry.Id, null, Cancel));

        Assert.Contains("changed since it was registered", refused.Message, StringComparison.Ordinal);
        var stored = await app.Factory.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == entry.Id, Cancel));
        Assert.Equal((ModelState.Failed, refused.Message), (stored.State, stored.FailureReason));
        Assert.False(app.Catalog.IsLoaded(entry.Id));
    }

    [Fact]
    public async Task Register_TruncatedFile_RefusedWithReasonAndNothingStored()
    {
        var path = Path.Combine(app.Catalog.ModelsFolder, $"truncated-{Guid.NewGuid():N}.gguf");
        TestModels.WriteTinyLlama(path);
        await File.WriteAllBytesAsync(path, (await File.ReadAllBytesAsync(path, Cancel))[..1000], Cancel);
        var count = await app.Factory.QueryAsync(db => db.ModelEntries.CountAsync(Cancel));

        var refused = await Assert.ThrowsAsync<GgufValidationException>(() => app.Catalog.RegisterFileAsync(path, isTestModel: false, Cancel));

        Assert.False(string.IsNullOrWhiteSpace(refused.Message));
        Assert.Equal(count, await app.Factory.QueryAsync(db => db.ModelEntries.CountAsync(Cancel)));
    }

    [Fact]
    public async Task Register_SameFileTwice_RefusedNamingTheRegisteredModel()
    {
        var refused = await Assert.ThrowsAsync<ModelCatalogException>(() =>
            app.Catalog.RegisterFileAsync(Path.Combine(app.Catalog.ModelsFolder, ModelCatalogStartup.TestModelFileName), isTestModel: true, Cancel));

        Assert.Contains("is already registered as model 'portal-tiny-llama (test model: answers are noise)'", refused.Message, StringComparison.Ordinal);
    }
}
