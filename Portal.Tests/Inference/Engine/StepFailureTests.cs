using Portal.Inference.Engine;

namespace Portal.Tests.Inference.Engine;

/// <summary>
/// Hostile vocabularies against a step. Before the fix a token piece longer than 256 bytes threw
/// inside the step, which ended the scheduler loop for every model of the host. And a KV cache that
/// runs out fails only the conversation that has no room, not everyone in the batch.
/// </summary>
public sealed class StepFailureTests : IDisposable
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("portal-step-");

    public void Dispose() => directory.Delete(recursive: true);

    private static GenerationRequest Greedy(string model, int maxTokens) => new()
    {
        ModelId = model,
        Prompt = "Hello there",
        MaxTokens = maxTokens,
        Sampling = SamplingSettings.Greedy,
    };

    [Fact]
    public async Task TokenPieceLongerThanTheBuffer_IsReadWhole_AndOtherModelsGoOn()
    {
        var piece = new string('x', 300);
        var hostilePath = Path.Combine(directory.FullName, "long-piece.gguf");
        var tinyPath = Path.Combine(directory.FullName, "tiny.gguf");
        ConstantAnswerModel.WriteWithText(hostilePath, piece);
        Portal.Inference.Gguf.TestModels.WriteTinyLlama(tinyPath, seed: 42);
        await using var host = new EngineHost();
        await host.StartAsync();
        await host.Engine.LoadAsync(new ModelLoadRequest("hostile", hostilePath), cancellationToken: TestContext.Current.CancellationToken);
        await host.Engine.LoadAsync(new ModelLoadRequest("tiny", tinyPath), cancellationToken: TestContext.Current.CancellationToken);

        var hostile = await host.Engine.GenerateAsync(Greedy("hostile", 3), TestContext.Current.CancellationToken)
            .Completion.WaitAsync(HangGuard, TestContext.Current.CancellationToken);
        var tiny = await host.Engine.GenerateAsync(Greedy("tiny", 4), TestContext.Current.CancellationToken)
            .Completion.WaitAsync(HangGuard, TestContext.Current.CancellationToken);

        Assert.Equal(FinishReason.Length, hostile.FinishReason);
        Assert.Equal(piece + piece + piece, hostile.Text);
        Assert.Equal(FinishReason.Length, tiny.FinishReason);
        Assert.Equal(4, tiny.CompletionTokens);
    }

    [Fact]
    public async Task KvCacheFull_RetriesWithASmallerBatch_OnlyTheConversationWithoutRoomFails()
    {
        // Admission promises 2 × 256 cells, the cache has 256: two long answers outgrow it together, and
        // llama.cpp's decode really answers 1 (no room). The step halves its batch: the first conversation
        // that cannot place its token fails alone, its cells come free, and the other finishes its answer.
        var path = Path.Combine(directory.FullName, "long-answers.gguf");
        Portal.Inference.Gguf.TestModels.WriteBenchmarkModel(
            path, Portal.Inference.Gguf.TestModels.TinyLlamaShape with { VocabularySize = Portal.Inference.Gguf.TestVocabulary.MaxTokenCount }, seed: 3);
        await using var host = new EngineHost(options => (options.ContextSize, options.BatchSize, options.FaultKvCells) = (256, 64, 256));
        await host.StartAsync();
        await host.Engine.LoadAsync(new ModelLoadRequest("long", path), cancellationToken: TestContext.Current.CancellationToken);

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            host.Engine.GenerateAsync(Greedy("long", 240), TestContext.Current.CancellationToken).Completion.WaitAsync(HangGuard, TestContext.Current.CancellationToken)));

        var failed = Assert.Single(answers, a => a.FinishReason == FinishReason.Error);
        Assert.Equal("The model's KV cache is full; no room for the next token.", failed.Error);
        Assert.InRange(failed.CompletionTokens, 1, 239); // it got as far as the cache allowed, and keeps that text
        var finished = Assert.Single(answers, a => a.FinishReason != FinishReason.Error);
        Assert.Equal((FinishReason.Length, 240), (finished.FinishReason, finished.CompletionTokens));
    }

    [Fact]
    public async Task AnswerEndingInsideACharacter_ShowsNoReplacementCharacter()
    {
        // Token 0 is the lone lead byte 0xE2 of a three-byte character: the answer ends inside it.
        var path = Path.Combine(directory.FullName, "lead-byte.gguf");
        ConstantAnswerModel.WriteWithByte(path, 0xE2);
        await using var host = new EngineHost();
        await host.StartAsync();
        await host.Engine.LoadAsync(new ModelLoadRequest("lead", path), cancellationToken: TestContext.Current.CancellationToken);

        var result = await host.Engine.GenerateAsync(Greedy("lead", 1), TestContext.Current.CancellationToken)
            .Completion.WaitAsync(HangGuard, TestContext.Current.CancellationToken);

        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(1, result.CompletionTokens);
        Assert.Equal(string.Empty, result.Text);
    }
}
