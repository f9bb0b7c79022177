using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Portal.Inference.Gguf;
using Portal.Tests.Inference.Gguf;
using Portal.Web.Models;

namespace Portal.Tests.Web.Admin;

/// <summary>Runs alone: it measures the whole process's memory, which tests running beside it would disturb.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

[Collection(nameof(MemoryMeasurements))]
public sealed class LargeUploadMemoryTests(AdminPortal portal) : IClassFixture<AdminPortal>, IDisposable
{
    private const long MaxGrowthBytes = 100L * 1024 * 1024;
    private const int ChunkBytes = 64 * 1024 * 1024;

    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Upload_2GbModel_ManagedMemoryStaysFlat()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = _files.File("large.gguf");
        var size = LargeTestModel.Write(path);
        Assert.True(size > 2_000_000_000, $"The test model is {size} bytes.");
        var sha256 = await GgufFile.ComputeSha256Async(path, ct);
        var uploads = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);
        var upload = await uploads.StartOkAsync("large.gguf", size);

        var retainedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        await uploads.SendFromAsync(upload.Id, path, 0, ChunkBytes);
        var uploadSeconds = clock.Elapsed.TotalSeconds;
        using var complete = await uploads.CompleteAsync(upload.Id);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - retainedBefore;

        Assert.True(complete.StatusCode == HttpStatusCode.OK, await complete.Content.ReadAsStringAsync(ct));
        var model = (await complete.Content.ReadFromJsonAsync<CompletedUpload>(ct))!;
        Assert.Equal(sha256, model.Sha256);
        Assert.Equal(size, model.Size);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"2 GB upload: {size / 1e6 / uploadSeconds:F0} MB/s over loopback ({size:N0} bytes in {uploadSeconds:F1} s, {ChunkBytes / (1 << 20)} MiB chunks); " +
            $"allocated during upload and completion {allocated / 1e6:F1} MB; retained after collection {retained / 1e6:F1} MB.");

        // A buffered body would allocate (and, while held, retain) at least its own size: 2 GB.
        Assert.True(allocated < MaxGrowthBytes, $"{allocated:N0} bytes were allocated while 2 GB streamed through.");
        Assert.True(retained < MaxGrowthBytes, $"Managed memory grew by {retained:N0} bytes.");
        File.Delete(Path.Combine(portal.ModelsFolder, model.StoredFileName));
    }
}
