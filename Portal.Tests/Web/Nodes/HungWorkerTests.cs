using System.Diagnostics;
using Portal.Inference.Engine;
using Portal.Web.Models;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// A worker that hangs (the worker's test-only fault switch: it takes generations and never works on
/// them), or that stops heartbeating (SIGSTOP), is detected, killed and started again.
/// </summary>
public sealed class HungWorkerTests(HungWorkerTests.HangingWorkers portal) : IClassFixture<HungWorkerTests.HangingWorkers>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerationThatMakesNoProgress_WorkerKilledAsHung_AnswerEndsWithTheReason_AndAWorkerComesBack()
    {
        var engineId = ModelCatalog.EngineId((await WorkerProcessTests.TestModelAsync(portal)).Id);
        var before = await WorkerPidAsync(engineId, except: null);

        var (_, result) = await WorkerProcessTests.GenerateAsync(portal.Engine, engineId, "Anyone there?", maxTokens: 8);

        Assert.Equal(FinishReason.Error, result.FinishReason);
        Assert.Contains("made no progress", result.Error, StringComparison.Ordinal);
        Assert.Contains("hung", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, result.CompletionTokens);
        await WorkerPidAsync(engineId, except: before);
    }

    [Fact]
    public async Task WorkerThatStopsHeartbeating_IsKilledAndStartedAgain()
    {
        var engineId = ModelCatalog.EngineId((await WorkerProcessTests.TestModelAsync(portal)).Id);
        var before = await WorkerPidAsync(engineId, except: null);

        using (var stop = Process.Start("kill", ["-STOP", before.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await stop.WaitForExitAsync(Cancel);
        }

        var after = await WorkerPidAsync(engineId, except: before);
        Assert.NotEqual(before, after);
    }

    /// <summary>The process id of the live worker that has the model, once it is not <paramref name="except"/>.</summary>
    private async Task<int> WorkerPidAsync(string engineId, int? except)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var node = portal.Registry.Nodes.FirstOrDefault(n => n.Models.ContainsKey(engineId) && n.Hello is not null && n.Hello.ProcessId != except);
            if (node is not null)
            {
                return node.Hello!.ProcessId;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), "No worker has the model.");
            await Task.Delay(100, Cancel);
        }
    }

    public sealed class HangingWorkers() : WorkerPortal(
        new Dictionary<string, string?>
        {
            ["Portal:Workers:TestFault"] = "hang-generate",
            ["Portal:Workers:StepTimeoutSeconds"] = "3",
            ["Portal:Workers:HeartbeatTimeoutSeconds"] = "4",
            ["Portal:Workers:RestartDelaySeconds"] = "0.2",
        },
        null);
}
