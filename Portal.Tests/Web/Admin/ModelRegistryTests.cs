using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Models;
using Portal.Inference.Gguf;
using Portal.Tests.Inference.Gguf;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Models;

namespace Portal.Tests.Web.Admin;

/// <summary>The registry's actions on uploaded models, through the real catalog and native engine, and the folder scan.</summary>
public sealed class ModelRegistryTests(AdminPortal portal) : IClassFixture<AdminPortal>, IDisposable
{
    private readonly TempDirectory _files = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Load_FileChangedOnDiskAfterRegistration_Refused()
    {
        var model = await UploadTinyAsync(seed: 301);
        var path = Path.Combine(portal.ModelsFolder, model.StoredFileName);
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.Seek(-1, SeekOrigin.End);
            file.WriteByte(0x5A);
        }

        var refused = await Assert.ThrowsAsync<AdminException>(() => WithModelsAsync(m => m.LoadAsync(AdminActor(), model.ModelId, null, Ct)));

        Assert.StartsWith($"The file '{model.StoredFileName}' changed since it was registered", refused.Message, StringComparison.Ordinal);
        var entry = await portal.App.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == model.ModelId, Ct));
        Assert.Equal(ModelState.Failed, entry.State);
        Assert.Equal(refused.Message, entry.FailureReason);
        Assert.True(await portal.App.QueryAsync(db => db.AuditEvents.AnyAsync(a => a.Action == "model.load_failed" && a.Target == $"model:{model.ModelId}", Ct)));
    }

    [Fact]
    public async Task Delete_WhileLoaded_RefusedThenAllowedAfterUnload()
    {
        var model = await UploadTinyAsync(seed: 302);
        var admin = AdminActor();
        await WithModelsAsync(m => m.LoadAsync(admin, model.ModelId, null, Ct));

        var refused = await Assert.ThrowsAsync<AdminException>(() => WithModelsAsync(m => m.DeleteAsync(admin, model.ModelId, Ct)));
        Assert.Equal("Model 'portal-tiny-llama' is loaded; unload it before deleting.", refused.Message);

        await WithModelsAsync(m => m.UnloadAsync(admin, model.ModelId, Ct));
        await WithModelsAsync(m => m.DeleteAsync(admin, model.ModelId, Ct));
        Assert.False(await portal.App.QueryAsync(db => db.ModelEntries.AnyAsync(m => m.Id == model.ModelId, Ct)));
        Assert.False(File.Exists(Path.Combine(portal.ModelsFolder, model.StoredFileName)));
    }

    [Fact]
    public async Task Load_DisabledModel_RefusedUntilEnabled()
    {
        var model = await UploadTinyAsync(seed: 305);
        var admin = AdminActor();
        await WithModelsAsync(m => m.SetEnabledAsync(admin, model.ModelId, false, Ct));

        var refused = await Assert.ThrowsAsync<AdminException>(() => WithModelsAsync(m => m.LoadAsync(admin, model.ModelId, null, Ct)));

        Assert.Equal("Model 'portal-tiny-llama' is disabled; enable it before loading.", refused.Message);
        await WithModelsAsync(m => m.SetEnabledAsync(admin, model.ModelId, true, Ct));
        await WithModelsAsync(m => m.LoadAsync(admin, model.ModelId, null, Ct));
        Assert.Equal(ModelState.Loaded, (await portal.App.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == model.ModelId, Ct))).State);
        await WithModelsAsync(m => m.UnloadAsync(admin, model.ModelId, Ct));
    }

    [Fact]
    public async Task Defaults_OutOfRange_RefusedAndUnchanged()
    {
        var model = await UploadTinyAsync(seed: 306);
        var admin = AdminActor();
        await WithModelsAsync(m => m.UpdateDefaultsAsync(admin, model.ModelId, new ModelDefaults(1024, 0, 2, 2), Ct));

        var refused = await Assert.ThrowsAsync<AdminException>(() => WithModelsAsync(m => m.UpdateDefaultsAsync(admin, model.ModelId, new ModelDefaults(1024, 0, 2, 0), Ct)));

        Assert.StartsWith("Context size must be 32 to 1,048,576;", refused.Message, StringComparison.Ordinal);
        var entry = await portal.App.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == model.ModelId, Ct));
        Assert.Equal((1024, 2, 2), (entry.DefaultContextSize, entry.DefaultThreads, entry.DefaultParallelSlots));
    }

    [Fact]
    public async Task Rescan_FolderWithValidAndInvalidFiles_RegistersValidReportsInvalid()
    {
        var valid = Path.Combine(portal.ModelsFolder, "copied-in.gguf");
        TestModels.WriteTinyLlama(valid, seed: 303);
        var invalid = Path.Combine(portal.ModelsFolder, "broken.gguf");
        await File.WriteAllBytesAsync(invalid, "GGUF"u8.ToArray(), Ct);

        var report = await portal.App.Services.GetRequiredService<ModelFolderScanner>().ScanAsync(null, Ct);

        Assert.Equal(["copied-in.gguf"], report.Registered);
        var refused = Assert.Single(report.Refused);
        Assert.Equal("broken.gguf", refused.FileName);
        Assert.StartsWith("FileTooSmall:", refused.Reason, StringComparison.Ordinal);
        Assert.True(await portal.App.QueryAsync(db => db.ModelEntries.AnyAsync(m => m.FileName == "copied-in.gguf" && m.Architecture == "llama", Ct)));
        Assert.False(await portal.App.QueryAsync(db => db.ModelEntries.AnyAsync(m => m.FileName == "broken.gguf", Ct)));
        File.Delete(invalid);
    }

    [Fact]
    public async Task Rescan_FileStillBeingCopied_ReportedNotRegisteredThenRegisteredOnceCopied()
    {
        var scanner = portal.App.Services.GetRequiredService<ModelFolderScanner>();
        var copying = Path.Combine(portal.ModelsFolder, "being-copied.gguf");
        var source = Path.Combine(portal.ModelsFolder, "..", "being-copied.source");
        TestModels.WriteTinyLlama(source, seed: 399);

        FolderScanReport whileCopying;
        await using (var copier = new FileStream(copying, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await copier.WriteAsync((await File.ReadAllBytesAsync(source, Ct)).AsMemory(0, 1000), Ct);
            whileCopying = await scanner.ScanAsync(null, Ct);
        }

        var refused = Assert.Single(whileCopying.Refused, r => r.FileName == "being-copied.gguf");
        Assert.Contains("still being copied", refused.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("being-copied.gguf", whileCopying.Registered);

        File.Copy(source, copying, overwrite: true);
        var afterCopy = await scanner.ScanAsync(null, Ct);
        Assert.Contains("being-copied.gguf", afterCopy.Registered);
        File.Delete(source);
    }

    [Fact]
    public async Task Grants_SetForTenants_ReplaceThePreviousOnes()
    {
        var model = await UploadTinyAsync(seed: 304);
        var admin = AdminActor();
        var tenants = await portal.App.QueryAsync(db => db.Tenants.Select(t => t.Id).ToListAsync(Ct));

        await WithModelsAsync(m => m.SetGrantsAsync(admin, model.ModelId, tenants, Ct));
        await WithModelsAsync(m => m.SetGrantsAsync(admin, model.ModelId, [tenants[0]], Ct));

        var granted = await portal.App.QueryAsync(db => db.ModelGrants.Where(g => g.ModelEntryId == model.ModelId).Select(g => g.TenantId).ToListAsync(Ct));
        Assert.Equal([tenants[0]], granted);
    }

    [Fact]
    public async Task Abandoned_UploadOlderThanLimit_SweptAway()
    {
        var uploads = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);
        var upload = await uploads.StartOkAsync("abandoned.gguf", 1000);
        using (var put = await uploads.PutAsync(upload.Id, 0, 1000, new ByteArrayContent(new byte[300]), 300))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var kept = await portal.App.Services.GetRequiredService<ModelUploads>().SweepAsync(Ct);
        Assert.Contains(portal.UploadAreaFiles(), f => f.Contains(upload.Id.ToString("N"), StringComparison.Ordinal));

        // A day and an hour later, as another portal instance (or after a restart) would see it.
        var later = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromHours(25));
        var fresh = new ModelUploads(
            portal.App.Services.GetRequiredService<ModelFolder>(),
            portal.App.Services.GetRequiredService<ModelCatalog>(),
            portal.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelStorageOptions>>(),
            portal.App.Services.GetRequiredService<IServiceScopeFactory>(),
            later,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ModelUploads>.Instance);

        var removed = await fresh.SweepAsync(Ct);

        Assert.Equal(0, kept);
        Assert.True(removed >= 1);
        Assert.DoesNotContain(portal.UploadAreaFiles(), f => f.Contains(upload.Id.ToString("N"), StringComparison.Ordinal));
    }

    private AdminActor AdminActor()
    {
        var admin = portal.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail, Ct)).GetAwaiter().GetResult();
        return new AdminActor(admin.Id, IsPlatformAdmin: true, ActiveTenantId: null, IsTenantAdmin: false);
    }

    private async Task<CompletedUpload> UploadTinyAsync(int seed)
    {
        var path = _files.File($"tiny-{seed}.gguf");
        TestModels.WriteTinyLlama(path, seed);
        var uploads = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);
        var upload = await uploads.StartOkAsync("tiny.gguf", new FileInfo(path).Length);
        await uploads.SendFromAsync(upload.Id, path, 0, 1 << 20);
        using var complete = await uploads.CompleteAsync(upload.Id);
        Assert.True(complete.StatusCode == HttpStatusCode.OK, await complete.Content.ReadAsStringAsync(Ct));
        return (await complete.Content.ReadFromJsonAsync<CompletedUpload>(Ct))!;
    }

    private async Task WithModelsAsync(Func<ModelAdministration, Task> action)
    {
        await using var scope = portal.App.Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<ModelAdministration>());
    }
}
