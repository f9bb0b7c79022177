using Portal.Inference.Engine;
using Portal.Inference.Gguf;

namespace Portal.Tests.Inference.Engine;

[Collection(TinyModelGroup.Name)]
public sealed class BadInputTests(TinyModelFixture fixture)
{
    [Fact]
    public void Generate_UnknownModel_RejectedWithReason()
    {
        var error = Assert.Throws<InferenceException>(() => fixture.Engine.GenerateAsync(
            new GenerationRequest { ModelId = "nope", Prompt = "hi" }, TestContext.Current.CancellationToken));

        Assert.Equal("No model named 'nope' is loaded.", error.Message);
    }

    [Fact]
    public void Generate_PromptLongerThanContext_RejectedWithReason()
    {
        var error = Assert.Throws<InferenceException>(() => fixture.Engine.GenerateAsync(
            new GenerationRequest { ModelId = TinyModelFixture.ModelId, Prompt = new string('x', 2000) }, TestContext.Current.CancellationToken));

        Assert.Contains($"holds {TinyModelFixture.ContextSize} per conversation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_NoPromptNoMessages_RejectedWithReason()
    {
        var error = Assert.Throws<InferenceException>(() => fixture.Engine.GenerateAsync(
            new GenerationRequest { ModelId = TinyModelFixture.ModelId }, TestContext.Current.CancellationToken));

        Assert.Equal("A generation request needs chat messages or a prompt.", error.Message);
    }

    [Fact]
    public void Generate_TemperatureOutOfRange_RejectedWithReason()
    {
        var error = Assert.Throws<InferenceException>(() => fixture.Engine.GenerateAsync(
            new GenerationRequest { ModelId = TinyModelFixture.ModelId, Prompt = "hi", Sampling = new SamplingSettings { Temperature = 9 } },
            TestContext.Current.CancellationToken));

        Assert.Contains("Temperature", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_RunsIntoContextEnd_FinishesWithLength()
    {
        var result = await fixture.Engine.GenerateAsync(
            new GenerationRequest { ModelId = TinyModelFixture.ModelId, Prompt = "fill", MaxTokens = 10_000, Sampling = SamplingSettings.Greedy },
            TestContext.Current.CancellationToken).Completion;

        Assert.True(result.FinishReason is FinishReason.Length or FinishReason.Stop, result.FinishReason.ToString());
        if (result.FinishReason == FinishReason.Length)
        {
            Assert.Equal(TinyModelFixture.ContextSize, result.PromptTokens + result.CompletionTokens);
        }
    }

    [Fact]
    public async Task Load_NotAGgufFile_RefusedBeforeLlamaCppWithReason()
    {
        var path = Path.Combine(fixture.Directory, "not-a-model.gguf");
        await File.WriteAllBytesAsync(path, [.. "NOPE"u8, .. new byte[64]], TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<InferenceException>(() =>
            fixture.Engine.LoadAsync(new ModelLoadRequest("broken", path), cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("Model 'broken' was refused before loading:", error.Message, StringComparison.Ordinal);
        Assert.IsType<GgufValidationException>(error.InnerException);
        Assert.DoesNotContain(fixture.Engine.LoadedModels, m => m.ModelId == "broken");
    }

    [Fact]
    public async Task Load_MissingFile_RejectedWithReason()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(() =>
            fixture.Engine.LoadAsync(new ModelLoadRequest("missing", "/nonexistent/model.gguf"), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("The model file '/nonexistent/model.gguf' does not exist.", error.Message);
    }

    [Fact]
    public async Task Load_SameNameTwice_RejectedWithReason()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(() =>
            fixture.Engine.LoadAsync(new ModelLoadRequest(TinyModelFixture.ModelId, fixture.ModelPath), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("A model named 'tiny' is already loaded.", error.Message);
    }
}
