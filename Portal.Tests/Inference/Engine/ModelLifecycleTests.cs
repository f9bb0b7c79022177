using Portal.Inference.Engine;

namespace Portal.Tests.Inference.Engine;

[Collection(TinyModelGroup.Name)]
public sealed class ModelLifecycleTests(TinyModelFixture fixture)
{
    [Fact]
    public async Task Load_ReportsProgressUpToOne_AndUnloadRemovesTheModel()
    {
        var progress = new RecordingProgress();

        var info = await fixture.Engine.LoadAsync(new ModelLoadRequest("lifecycle", fixture.ModelPath) { Slots = 2, ContextSize = 512 }, progress, TestContext.Current.CancellationToken);
        await fixture.Engine.UnloadAsync("lifecycle", TestContext.Current.CancellationToken);

        Assert.Equal(512, info.ContextSize);
        Assert.Equal(2, info.Slots);
        Assert.NotEmpty(progress.Values);
        Assert.Equal(1.0f, progress.Values[^1]);
        Assert.Equal(progress.Values.Order(), progress.Values);
        Assert.DoesNotContain(fixture.Engine.LoadedModels, m => m.ModelId == "lifecycle");
        var error = Assert.Throws<InferenceException>(() => fixture.Engine.GenerateAsync(
            new GenerationRequest { ModelId = "lifecycle", Prompt = "hi" }, TestContext.Current.CancellationToken));
        Assert.Equal("No model named 'lifecycle' is loaded.", error.Message);
    }

    [Fact]
    public async Task Unload_WhileGenerating_CancelsTheConversation()
    {
        await fixture.Engine.LoadAsync(new ModelLoadRequest("unloading", fixture.ModelPath) { Slots = 1, ContextSize = 128 }, cancellationToken: TestContext.Current.CancellationToken);
        var running = fixture.Engine.GenerateAsync(
            new GenerationRequest { ModelId = "unloading", Prompt = "cancel me", MaxTokens = 100, Sampling = SamplingSettings.Greedy },
            TestContext.Current.CancellationToken);
        await foreach (var chunk in running.WithCancellation(TestContext.Current.CancellationToken))
        {
            break;
        }

        await fixture.Engine.UnloadAsync("unloading", TestContext.Current.CancellationToken);

        Assert.Equal(FinishReason.Cancelled, (await running.Completion).FinishReason);
    }

    /// <summary>Records synchronously, unlike <see cref="Progress{T}"/>, which posts to the thread pool.</summary>
    private sealed class RecordingProgress : IProgress<float>
    {
        private readonly Lock gate = new();

        public List<float> Values { get; } = [];

        public void Report(float value)
        {
            lock (gate)
            {
                Values.Add(value);
            }
        }
    }
}
