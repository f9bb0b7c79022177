using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;
using Portal.Web.Models;
using Portal.Web.Nodes;

namespace Portal.Tests.Web.Nodes;

/// <summary>Two worker processes for one model: work spreads over both, and a kill -9 of one costs only its running answer.</summary>
public sealed class WorkerSupervisionTests(WorkerSupervisionTests.TwoWorkers portal) : IClassFixture<WorkerSupervisionTests.TwoWorkers>
{
    private const int AnswerTokens = 400;

    /// <summary>The others' length: short, so the worker that serves three of them is done soon.</summary>
    private const int ShortAnswerTokens = 12;

    /// <summary>
    /// Each decode step of the workers takes at least this long (the "slow-decode" fault): the first answer
    /// cannot end, and so its queued one cannot start, for AnswerTokens × this after its first token, a window
    /// in which the test, however slowly its threads run, has seen that token and killed the worker.
    /// Without it the worker sometimes finished the first answer and began the queued one first (1 in 4 runs).
    /// </summary>
    private const int StepMilliseconds = 50;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KillNineOfAWorker_EndsItsRunningAnswerWithTheReason_MovesItsQueuedOne_AndTheWorkerComesBack()
    {
        var engineId = ModelCatalog.EngineId(portal.LongAnswerModelId);
        var nodes = await WorkersOfAsync(engineId, 2);
        var victim = nodes.OrderBy(n => n.ConnectedAt).First();

        // One slot per worker: generations 0 and 2 go to the first worker (2 waits), 1 and 3 to the second.
        var generations = Enumerable.Range(0, 4)
            .Select(i => portal.Engine.GenerateAsync(new GenerationRequest { ModelId = engineId, Prompt = $"Story {i}", MaxTokens = i == 0 ? AnswerTokens : ShortAnswerTokens, Sampling = SamplingSettings.Greedy }, Cancel))
            .ToList();
        Assert.All(nodes, n => Assert.Equal(2, n.InFlight));

        var streamed = new StringBuilder();
        var lastCount = 0;
        var killed = false;
        try
        {
            await foreach (var chunk in generations[0].WithCancellation(Cancel))
            {
                streamed.Append(chunk.Text);
                lastCount = chunk.CompletionTokens;
                if (!killed)
                {
                    using var process = Process.GetProcessById(victim.Hello!.ProcessId);
                    process.Kill(); // SIGKILL
                    killed = true;
                }
            }
        }
        catch (InferenceException)
        {
            // The stream ends with the error; Completion carries it.
        }

        var results = await Task.WhenAll(generations.Select(g => g.Completion.WaitAsync(TimeSpan.FromMinutes(4), Cancel)));

        var broken = results[0];
        Assert.Equal(FinishReason.Error, broken.FinishReason);
        Assert.Contains("The worker running this answer stopped", broken.Error, StringComparison.Ordinal);
        Assert.Contains("signal 9 (SIGKILL)", broken.Error, StringComparison.Ordinal);
        Assert.InRange(broken.CompletionTokens, 1, AnswerTokens - 1);
        Assert.Equal(lastCount, broken.CompletionTokens); // charged for exactly what was produced
        Assert.Equal(streamed.ToString(), broken.Text);    // kept as far as it got
        Assert.All(results[1..], r => Assert.True(r.FinishReason is FinishReason.Length or FinishReason.Stop && r.CompletionTokens > 0, r.Error));

        var replacement = await WorkersOfAsync(engineId, 2);
        Assert.DoesNotContain(replacement, n => n.Hello!.ProcessId == victim.Hello!.ProcessId);
    }

    /// <summary>Waits until <paramref name="count"/> live workers have the model.</summary>
    private async Task<List<RemoteNode>> WorkersOfAsync(string engineId, int count)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var nodes = portal.Registry.Nodes.Where(n => n.Models.ContainsKey(engineId) && n.Hello is not null).ToList();
            if (nodes.Count == count)
            {
                return nodes;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"{nodes.Count} workers have the model, not {count}.");
            await Task.Delay(100, Cancel);
        }
    }

    /// <summary>A model whose greedy answers run long (the largest test vocabulary), on two workers of one slot each.</summary>
    public sealed class TwoWorkers() : WorkerPortal(
        new Dictionary<string, string?>
        {
            ["Portal:Workers:ProcessesPerModel"] = "2",
            ["Portal:Workers:RestartDelaySeconds"] = "0.2",
            ["Portal:Workers:TestFault"] = $"slow-decode:{StepMilliseconds}",
        },
        null)
    {
        public Guid LongAnswerModelId { get; private set; }

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            var path = Path.Combine(Catalog.ModelsFolder, "long-answers.test.gguf");
            TestModels.WriteBenchmarkModel(path, TestModels.TinyLlamaShape with { VocabularySize = TestVocabulary.MaxTokenCount, Name = "long-answers" }, seed: 3);
            var entry = await Catalog.RegisterFileAsync(path, isTestModel: true);
            await Factory.QueryAsync(async db =>
            {
                (await db.ModelEntries.SingleAsync(m => m.Id == entry.Id)).DefaultParallelSlots = 1;
                return await db.SaveChangesAsync();
            });
            await Catalog.LoadAsync(entry.Id);
            LongAnswerModelId = entry.Id;
        }
    }
}
