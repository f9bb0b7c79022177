using Portal.Domain.Models;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;
using Portal.Web.Models;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// A remote node that lacks a model's file, or holds another file of that name, gets the portal's file
/// over <c>/api/nodes/models/{id}/file</c> with its node key: streamed into its models folder, its
/// SHA-256 checked against the registered one, moved into place only then, and served. A download whose
/// hash differs, or that would not fit the disk, is refused with the reason and leaves nothing behind.
/// </summary>
public sealed class ModelDownloadTests(WorkerPortal portal) : IClassFixture<WorkerPortal>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NodeWithAnEmptyModelsFolder_DownloadsThePortalsFile_ChecksItsHash_AndServesGenerations()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var engineId = ModelCatalog.EngineId(entry.Id);
        await using var remote = await RemoteWorker.StartAsync(portal, "fetch-empty");
        Assert.Empty(Directory.EnumerateFileSystemEntries(remote.Folder));

        var node = await remote.ServingAsync(portal, engineId);

        // The file is in place under the model's name, with the registered hash, and nothing else is left.
        var file = Assert.Single(Directory.EnumerateFileSystemEntries(remote.Folder));
        Assert.Equal(entry.FileName, Path.GetFileName(file));
        Assert.Equal(entry.Sha256, await GgufFile.ComputeSha256Async(file, Cancel));
        Assert.Contains($"Downloading model {engineId} from the portal: {entry.SizeBytes} bytes", remote.Log, StringComparison.Ordinal);
        Assert.Contains("its SHA-256 matches the portal's", remote.Log, StringComparison.Ordinal);
        Assert.Empty(node.Downloads);

        // It answers: of six generations some run on the downloaded copy.
        var results = await Task.WhenAll(Enumerable.Range(0, 6)
            .Select(i => portal.Engine.GenerateAsync(new GenerationRequest { ModelId = engineId, Prompt = $"Fetched {i}", MaxTokens = 4, Sampling = SamplingSettings.Greedy }, Cancel))
            .Select(g => g.Completion.WaitAsync(TimeSpan.FromMinutes(2), Cancel)));
        Assert.All(results, r => Assert.True(r.FinishReason is FinishReason.Length or FinishReason.Stop, r.Error));
        Assert.Contains(results, r => r.Node == remote.Name && r.CompletionTokens > 0);
    }

    [Fact]
    public async Task NodeHoldingAnotherFileOfTheSameName_FetchesThePortalsFile_InItsPlace()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var engineId = ModelCatalog.EngineId(entry.Id);
        var folder = Directory.CreateTempSubdirectory("remote-node-").FullName;
        var stale = Path.Combine(folder, entry.FileName);
        TestModels.WriteTinyLlama(stale, seed: 1234);
        var staleSha = await GgufFile.ComputeSha256Async(stale, Cancel);
        Assert.NotEqual(entry.Sha256, staleSha);
        await using var remote = await RemoteWorker.StartAsync(portal, "fetch-stale", folder);

        await remote.ServingAsync(portal, engineId);

        Assert.Equal(entry.Sha256, await GgufFile.ComputeSha256Async(stale, Cancel));
        Assert.Single(Directory.EnumerateFileSystemEntries(folder));
        Assert.Contains($"This node's {entry.FileName} is not the portal's file (SHA-256 {staleSha}", remote.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FileChangedOnThePortalAfterRegistration_DownloadRefusedWithTheHashes_AndNothingLeftOnTheNode()
    {
        var catalog = portal.Catalog;
        var path = Path.Combine(catalog.ModelsFolder, "changed-after-registration.gguf");
        TestModels.WriteTinyLlama(path, seed: 77);
        var entry = await catalog.RegisterFileAsync(path, isTestModel: true, Cancel);
        await catalog.LoadAsync(entry.Id, null, Cancel);
        var engineId = ModelCatalog.EngineId(entry.Id);
        try
        {
            // One byte of its last tensor differs now: same name, same length, another hash. A new file
            // renamed over the old one, so the local worker's mapped copy keeps its bytes.
            var bytes = await File.ReadAllBytesAsync(path, Cancel);
            bytes[^3] ^= 0x5A;
            await File.WriteAllBytesAsync(path + ".new", bytes, Cancel);
            File.Move(path + ".new", path, overwrite: true);
            var changedSha = await GgufFile.ComputeSha256Async(path, Cancel);
            await using var remote = await RemoteWorker.StartAsync(portal, "fetch-changed");

            var reason = await remote.DeclinedAsync(portal, engineId);

            Assert.Equal(
                $"The downloaded file's SHA-256 {changedSha} does not match the portal's registered {entry.Sha256}; the download was deleted and the model is not loaded on this node.",
                reason);
            Assert.Contains(reason, remote.Log, StringComparison.Ordinal);
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(remote.Folder), f => f.Contains("changed-after-registration", StringComparison.Ordinal));
        }
        finally
        {
            await catalog.UnloadAsync(entry.Id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task DownloadThatWouldNotFitTheDisk_IsRefusedBeforeAnyByte()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var engineId = ModelCatalog.EngineId(entry.Id);

        // The node must keep more free than any disk has: the file cannot fit.
        await using var remote = await RemoteWorker.StartAsync(portal, "fetch-full", null, "--keep-free-bytes", "9000000000000000000");

        var reason = await remote.DeclinedAsync(portal, engineId);

        Assert.StartsWith($"This node's models folder '{remote.Folder}' has ", reason, StringComparison.Ordinal);
        Assert.Contains("free; the model's file needs ", reason, StringComparison.Ordinal);
        Assert.EndsWith("is kept free (--keep-free-bytes). Free some space or give the node another --models folder.", reason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(remote.Folder));
        Assert.DoesNotContain("Downloading model", remote.Log, StringComparison.Ordinal);
    }
    [Fact]
    public async Task PartOfAnEarlierDownload_IsResumedWithARange_AndTheWholeIsChecked()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var engineId = ModelCatalog.EngineId(entry.Id);
        var folder = Directory.CreateTempSubdirectory("remote-node-").FullName;
        var bytes = await File.ReadAllBytesAsync(portal.Catalog.PathOf(entry), Cancel);
        var kept = bytes.Length / 2;
        await File.WriteAllBytesAsync(PartialFile(folder, entry), bytes[..kept], Cancel);
        await using var remote = await RemoteWorker.StartAsync(portal, "fetch-resume", folder);

        await remote.ServingAsync(portal, engineId);

        Assert.Contains($"Resuming the download of model {engineId} at {kept} of {bytes.Length} bytes", remote.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("from the start", remote.Log, StringComparison.Ordinal);
        var file = Assert.Single(Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal(entry.Sha256, await GgufFile.ComputeSha256Async(file, Cancel));
    }

    [Fact]
    public async Task KeptPartWithWrongBytes_IsDownloadedAgainFromTheStart()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var engineId = ModelCatalog.EngineId(entry.Id);
        var folder = Directory.CreateTempSubdirectory("remote-node-").FullName;
        await File.WriteAllBytesAsync(PartialFile(folder, entry), new byte[1000], Cancel);
        await using var remote = await RemoteWorker.StartAsync(portal, "fetch-bad-part", folder);

        await remote.ServingAsync(portal, engineId);

        Assert.Contains("The download resumed at 1000 bytes has the wrong SHA-256; downloading it again from the start", remote.Log, StringComparison.Ordinal);
        var file = Assert.Single(Directory.EnumerateFileSystemEntries(folder));
        Assert.Equal(entry.Sha256, await GgufFile.ComputeSha256Async(file, Cancel));
    }

    [Fact]
    public async Task DownloadThatBreaksOff_IsResumedWithinTheSameLoad()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var engineId = ModelCatalog.EngineId(entry.Id);
        await using var remote = await RemoteWorker.StartWithFaultAsync(portal, "fetch-cut", "cut-download");

        await remote.ServingAsync(portal, engineId);

        Assert.Contains($"The model download broke off after {64 * 1024} of {entry.SizeBytes} bytes: cut by the test fault switch. Resuming (try 1)", remote.Log, StringComparison.Ordinal);
        Assert.Contains($"Resuming the download of model {engineId} at {64 * 1024} of {entry.SizeBytes} bytes", remote.Log, StringComparison.Ordinal);
        var file = Assert.Single(Directory.EnumerateFileSystemEntries(remote.Folder));
        Assert.Equal(entry.Sha256, await GgufFile.ComputeSha256Async(file, Cancel));
    }

    /// <summary>Where a node keeps what arrived of a download (named by the expected hash).</summary>
    private static string PartialFile(string folder, ModelEntry entry) => Path.Combine(folder, $".{entry.FileName}.{entry.Sha256[..16]}.download");
}
