using Portal.Inference.Engine;
using Portal.Inference.Gguf;
using Portal.Inference.Native;

namespace Portal.Tests.Inference.Engine;

/// <summary>
/// Start and stop of the scheduler with work in flight, each test on its own host. Before the fix a
/// model loaded before the loop thread ran was never known to it (its generations hung), and a
/// request written as the loop ended landed in a channel nobody read.
/// </summary>
public sealed class SchedulerLifecycleTests : IDisposable
{
    // Only a guard against a hang: a test that reaches it failed; none waits for it to pass.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("portal-scheduler-");

    public SchedulerLifecycleTests() => TestModels.WriteTinyLlama(ModelPath, seed: 42);

    private string ModelPath => Path.Combine(directory.FullName, "tiny.gguf");

    public void Dispose() => directory.Delete(recursive: true);

    private static GenerationRequest Greedy(int maxTokens, string model = "tiny") => new()
    {
        ModelId = model,
        Prompt = "Hello there",
        MaxTokens = maxTokens,
        Sampling = SamplingSettings.Greedy,
    };

    [Fact]
    public async Task LoadAndSubmitBeforeStart_CompletesOnceStarted()
    {
        await using var host = new EngineHost();
        await host.Engine.LoadAsync(new ModelLoadRequest("tiny", ModelPath), cancellationToken: TestContext.Current.CancellationToken);
        var generation = host.Engine.GenerateAsync(Greedy(5), TestContext.Current.CancellationToken);

        await host.StartAsync();
        var result = await generation.Completion.WaitAsync(HangGuard, TestContext.Current.CancellationToken);

        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(5, result.CompletionTokens);
    }

    [Fact]
    public async Task LoadBeforeStart_GenerationAfterStartCompletes()
    {
        await using var host = new EngineHost();
        await host.Engine.LoadAsync(new ModelLoadRequest("tiny", ModelPath), cancellationToken: TestContext.Current.CancellationToken);
        await host.StartAsync();

        var result = await host.Engine.GenerateAsync(Greedy(5), TestContext.Current.CancellationToken)
            .Completion.WaitAsync(HangGuard, TestContext.Current.CancellationToken);

        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(5, result.CompletionTokens);
    }

    [Fact]
    public async Task Stop_EndsRunningAndQueuedGenerations()
    {
        await using var host = new EngineHost();
        await host.StartAsync();
        await host.Engine.LoadAsync(new ModelLoadRequest("tiny", ModelPath) { Slots = 1 }, cancellationToken: TestContext.Current.CancellationToken);
        var running = host.Engine.GenerateAsync(Greedy(100), TestContext.Current.CancellationToken);
        var queued = Enumerable.Range(0, 3).Select(_ => host.Engine.GenerateAsync(Greedy(100), TestContext.Current.CancellationToken)).ToList();
        await using (var tokens = running.GetAsyncEnumerator(TestContext.Current.CancellationToken))
        {
            Assert.True(await tokens.MoveNextAsync());

            await host.StopAsync();
        }

        var results = await Task.WhenAll(queued.Prepend(running).Select(g => g.Completion)).WaitAsync(HangGuard, TestContext.Current.CancellationToken);
        Assert.All(results, r => Assert.Equal(FinishReason.Cancelled, r.FinishReason));
        Assert.All(results.Skip(1), r => Assert.Equal(0, r.CompletionTokens));
    }

    [Fact]
    public async Task GenerateAfterStop_IsRefusedAtOnce()
    {
        await using var host = new EngineHost();
        await host.StartAsync();
        await host.Engine.LoadAsync(new ModelLoadRequest("tiny", ModelPath), cancellationToken: TestContext.Current.CancellationToken);
        await host.StopAsync();

        var error = Assert.Throws<InferenceException>(() => host.Engine.GenerateAsync(Greedy(5), TestContext.Current.CancellationToken));

        Assert.Equal("No model named 'tiny' is loaded.", error.Message);
    }

    [Fact]
    public async Task DisposedWithoutStart_EndsBufferedGenerations()
    {
        var host = new EngineHost();
        await host.Engine.LoadAsync(new ModelLoadRequest("tiny", ModelPath), cancellationToken: TestContext.Current.CancellationToken);
        var generation = host.Engine.GenerateAsync(Greedy(5), TestContext.Current.CancellationToken);

        await host.DisposeAsync();
        var result = await generation.Completion.WaitAsync(HangGuard, TestContext.Current.CancellationToken);

        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.Equal("The inference engine stopped.", result.Error);
    }

    [Fact]
    public async Task StopWhileOthersSubmit_EveryGenerationEnds()
    {
        await using var host = new EngineHost();
        await host.StartAsync();
        await host.Engine.LoadAsync(new ModelLoadRequest("tiny", ModelPath), cancellationToken: TestContext.Current.CancellationToken);
        var submitted = new System.Collections.Concurrent.ConcurrentBag<Generation>();
        using var firstSubmitted = new SemaphoreSlim(0);
        var submitters = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            // Submits until the engine refuses: the last ones race the loop's end.
            while (true)
            {
                try
                {
                    submitted.Add(host.Engine.GenerateAsync(Greedy(2), TestContext.Current.CancellationToken));
                    firstSubmitted.Release();
                }
                catch (InferenceException)
                {
                    return;
                }
            }
        })).ToList();
        await firstSubmitted.WaitAsync(TestContext.Current.CancellationToken);

        await host.StopAsync();
        await Task.WhenAll(submitters).WaitAsync(HangGuard, TestContext.Current.CancellationToken);
        var results = await Task.WhenAll(submitted.Select(g => g.Completion)).WaitAsync(HangGuard, TestContext.Current.CancellationToken);

        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.Contains(r.FinishReason, new[] { FinishReason.Length, FinishReason.Cancelled }));
    }

    [Fact]
    public async Task Unload_WhileAnotherThreadHoldsTheModel_FreesItOnlyAfterRelease()
    {
        await using var host = new EngineHost();
        await host.StartAsync();
        await host.Engine.LoadAsync(new ModelLoadRequest("tiny", ModelPath), cancellationToken: TestContext.Current.CancellationToken);
        var runner = ((InferenceEngine)host.Engine).Runner("tiny");
        Assert.True(SafeHandleLease.TryTake(runner.Model, out var lease));
        var before = LlamaText.Tokenize(runner.Vocab, "Hello there", addSpecial: true, parseSpecial: false);

        await host.Engine.UnloadAsync("tiny", TestContext.Current.CancellationToken);
        // A tokenizer that started before the unload still reads a live vocabulary.
        var during = LlamaText.Tokenize(runner.Vocab, "Hello there", addSpecial: true, parseSpecial: false);
        lease.Dispose();

        Assert.Equal(before, during);
        Assert.False(SafeHandleLease.TryTake(runner.Model, out _));
    }
}
