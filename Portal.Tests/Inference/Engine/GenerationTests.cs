using Portal.Inference.Engine;

namespace Portal.Tests.Inference.Engine;

[Collection(TinyModelGroup.Name)]
public sealed class GenerationTests(TinyModelFixture fixture)
{
    private static GenerationRequest Greedy(string model, string prompt, int maxTokens = 24) => new()
    {
        ModelId = model,
        Prompt = prompt,
        MaxTokens = maxTokens,
        Sampling = SamplingSettings.Greedy,
    };

    [Fact]
    public async Task Load_TinyModel_ReportsItsShape()
    {
        var info = Assert.Single(fixture.Engine.LoadedModels, m => m.ModelId == TinyModelFixture.ModelId);

        Assert.Equal(2, info.Layers);
        Assert.Equal(4, info.Slots);
        Assert.Equal(TinyModelFixture.ContextSize, info.ContextSize);
        Assert.True(info.HasChatTemplate);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Generate_Greedy_SameTextEveryTimeAndCountsAddUp()
    {
        var first = fixture.Engine.GenerateAsync(Greedy(TinyModelFixture.ModelId, "Hello there"), TestContext.Current.CancellationToken);
        var chunks = new List<TokenChunk>();
        await foreach (var chunk in first)
        {
            chunks.Add(chunk);
        }

        var result = await first.Completion;
        var again = await fixture.Engine.GenerateAsync(Greedy(TinyModelFixture.ModelId, "Hello there"), TestContext.Current.CancellationToken).Completion;

        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(24, result.CompletionTokens);
        Assert.Equal(first.PromptTokens, result.PromptTokens);
        Assert.True(result.PromptTokens > 1, $"{result.PromptTokens} prompt tokens");
        Assert.Equal(string.Concat(chunks.Select(c => c.Text)), result.Text);
        Assert.NotEmpty(result.Text);
        Assert.True(result.TimeToFirstToken <= result.TotalTime);
        Assert.Equal(result.Text, again.Text);
        Assert.Equal(result.CompletionTokens, again.CompletionTokens);
    }

    [Fact]
    public async Task Generate_SeededSampling_SameTextForSameSeed()
    {
        GenerationRequest Seeded(uint seed) => new()
        {
            ModelId = TinyModelFixture.ModelId,
            Prompt = "Once upon a time",
            MaxTokens = 16,
            Sampling = new SamplingSettings { Temperature = 1.0f, TopK = 0, TopP = 1, MinP = 0, Seed = seed },
        };

        var a = await fixture.Engine.GenerateAsync(Seeded(7), TestContext.Current.CancellationToken).Completion;
        var b = await fixture.Engine.GenerateAsync(Seeded(7), TestContext.Current.CancellationToken).Completion;
        var c = await fixture.Engine.GenerateAsync(Seeded(8), TestContext.Current.CancellationToken).Completion;

        Assert.Equal(a.Text, b.Text);
        Assert.NotEqual(a.Text, c.Text);
    }

    [Theory]
    [InlineData(1, 1f, 0f)]   // top-k 1 keeps the likeliest token only
    [InlineData(0, 1f, 1f)]   // min-p 1 keeps the tokens as likely as the likeliest only
    public async Task Generate_SamplingNarrowedToOneToken_SameTextAsGreedy(int topK, float topP, float minP)
    {
        var greedy = await fixture.Engine.GenerateAsync(Greedy(TinyModelFixture.ModelId, "Once upon a time", maxTokens: 12), TestContext.Current.CancellationToken).Completion;
        var narrowed = await fixture.Engine.GenerateAsync(
            Greedy(TinyModelFixture.ModelId, "Once upon a time", maxTokens: 12) with
            {
                Sampling = new SamplingSettings { Temperature = 1.5f, TopK = topK, TopP = topP, MinP = minP, Seed = 3 },
            },
            TestContext.Current.CancellationToken).Completion;

        Assert.Equal(greedy.Text, narrowed.Text);
    }

    [Fact]
    public async Task Generate_ConversationsDecodedTogether_SameTextAsAlone()
    {
        string[] prompts = ["The quick brown fox", "Lorem ipsum dolor sit amet, consectetur", "abc", "0123456789"];
        var alone = new List<string>();
        foreach (var prompt in prompts)
        {
            alone.Add((await fixture.Engine.GenerateAsync(Greedy(TinyModelFixture.ModelId, prompt), TestContext.Current.CancellationToken).Completion).Text);
        }

        var together = await Task.WhenAll(prompts.Select(p =>
            fixture.Engine.GenerateAsync(Greedy(TinyModelFixture.ModelId, p), TestContext.Current.CancellationToken).Completion));

        Assert.Equal(alone, together.Select(r => r.Text));
    }

    [Fact]
    public async Task Generate_MoreRequestsThanSlots_QueuedAndAllServed()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 3).Select(i =>
            fixture.Engine.GenerateAsync(Greedy(TinyModelFixture.SingleSlotModelId, $"request {i}", maxTokens: 8), TestContext.Current.CancellationToken).Completion));

        Assert.All(results, r => Assert.Equal(FinishReason.Length, r.FinishReason));
        Assert.All(results, r => Assert.Equal(8, r.CompletionTokens));
    }

    [Fact]
    public async Task Generate_StopSequence_EndsBeforeIt()
    {
        var full = await fixture.Engine.GenerateAsync(Greedy(TinyModelFixture.ModelId, "Stop here", maxTokens: 32), TestContext.Current.CancellationToken).Completion;
        Assert.True(full.Text.Length >= 8, $"'{full.Text}' is too short to cut");
        var stop = full.Text.Substring(full.Text.Length / 2, 3);
        var expected = full.Text[..full.Text.IndexOf(stop, StringComparison.Ordinal)];

        var stopped = await fixture.Engine.GenerateAsync(
            Greedy(TinyModelFixture.ModelId, "Stop here", maxTokens: 32) with { StopSequences = [stop] },
            TestContext.Current.CancellationToken).Completion;

        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
        Assert.Equal(expected, stopped.Text);
    }

    [Fact]
    public async Task Generate_ChatMessages_UsesTemplateOrFallback()
    {
        ChatMessage[] messages = [new("system", "Be brief."), new("user", "Hi!")];
        await fixture.Engine.LoadAsync(new ModelLoadRequest("tiny-no-template", fixture.ModelWithoutTemplatePath) { Slots = 1 }, cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            var withTemplate = await fixture.Engine.GenerateAsync(
                new GenerationRequest { ModelId = TinyModelFixture.ModelId, Messages = messages, MaxTokens = 4, Sampling = SamplingSettings.Greedy },
                TestContext.Current.CancellationToken).Completion;
            var withFallback = await fixture.Engine.GenerateAsync(
                new GenerationRequest { ModelId = "tiny-no-template", Messages = messages, MaxTokens = 4, Sampling = SamplingSettings.Greedy },
                TestContext.Current.CancellationToken).Completion;

            Assert.True(withTemplate.PromptTokens > 10, $"{withTemplate.PromptTokens} prompt tokens");
            // Both files hold the same ChatML text: the built-in fallback formats it identically.
            Assert.Equal(withTemplate.PromptTokens, withFallback.PromptTokens);
            Assert.Equal(withTemplate.Text, withFallback.Text);
            Assert.Equal(withTemplate.CompletionTokens, withFallback.CompletionTokens);
        }
        finally
        {
            await fixture.Engine.UnloadAsync("tiny-no-template", TestContext.Current.CancellationToken);
        }
    }
}
