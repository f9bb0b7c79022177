using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Portal.Inference.Engine;
using Portal.Web.Models;
using Portal.Web.Nodes;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// A second worker started as a person would on another machine (<c>--portal URL --node-key KEY
/// --models DIR</c>): it registers, loads the portal's model from its own folder (the SHA-256 matches),
/// and generations spread over it and the local worker.
/// </summary>
public sealed class RemoteNodeTests(WorkerPortal portal) : IClassFixture<WorkerPortal>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RemoteNode_WithTheSameFileInItsFolder_ServesTheModel_AndGenerationsSpreadOverBothNodes()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var engineId = ModelCatalog.EngineId(entry.Id);
        var (_, key) = await portal.Factory.Services.GetRequiredService<NodeKeys>().CreateAsync("remote-box", createdBy: null, Cancel);
        var folder = Directory.CreateTempSubdirectory("remote-node-").FullName;
        File.Copy(Path.Combine(portal.Catalog.ModelsFolder, entry.FileName), Path.Combine(folder, entry.FileName));
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Portal.Worker"))
        {
            ArgumentList = { "--portal", portal.BaseAddress.ToString(), "--node-key", key, "--models", folder, "--name", "remote-box" },
            Environment = { ["Inference__Threads"] = "1" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var remote = Process.Start(start)!;
        remote.BeginErrorReadLine();
        remote.BeginOutputReadLine();
        try
        {
            var node = await RemoteServingAsync(engineId);
            Assert.Null(node.LocalWorkerId);
            Assert.Equal(remote.Id, node.Hello!.ProcessId);
            Assert.True(node.Hello.ProcessorCount > 0);

            // Both have 4 free slots: routing fills the one with the most free slots, so 6 generations go 3 and 3.
            var generations = Enumerable.Range(0, 6)
                .Select(i => portal.Engine.GenerateAsync(new GenerationRequest { ModelId = engineId, Prompt = $"Spread {i}", MaxTokens = 4, Sampling = SamplingSettings.Greedy }, Cancel))
                .ToList();
            var local = portal.Registry.Nodes.Single(n => n.LocalWorkerId is not null && n.Models.ContainsKey(engineId));
            Assert.Equal((3, 3), (local.InFlight, node.InFlight));

            var results = await Task.WhenAll(generations.Select(g => g.Completion.WaitAsync(TimeSpan.FromMinutes(2), Cancel)));
            Assert.All(results, r => Assert.True(r.FinishReason is FinishReason.Length or FinishReason.Stop, r.Error));

            // Each answer says where it ran, for the cost of its usage record: the remote by its name, the local worker as this machine.
            Assert.Equal(new (string?, int)[] { (null, 3), ("remote-box", 3) }, results.GroupBy(r => r.Node).Select(g => (g.Key, g.Count())).OrderBy(g => g.Key, StringComparer.Ordinal));
        }
        finally
        {
            remote.Kill();
            await remote.WaitForExitAsync(CancellationToken.None);
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<RemoteNode> RemoteServingAsync(string engineId)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (portal.Registry.Nodes.FirstOrDefault(n => n.Hello?.Name == "remote-box" && n.Models.ContainsKey(engineId)) is { } node)
            {
                return node;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "The remote node did not come to serve the model.");
            await Task.Delay(100, Cancel);
        }
    }
}
