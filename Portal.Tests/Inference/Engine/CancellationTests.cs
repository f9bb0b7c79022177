using Portal.Inference.Engine;

namespace Portal.Tests.Inference.Engine;

[Collection(TinyModelGroup.Name)]
public sealed class CancellationTests(TinyModelFixture fixture)
{
    private static GenerationRequest Long(string prompt) => new()
    {
        ModelId = TinyModelFixture.SingleSlotModelId,
        Prompt = prompt,
        MaxTokens = 200,
        Sampling = SamplingSettings.Greedy,
    };

    [Fact]
    public async Task Cancel_StopsGenerationAndFreesSlotForTheNextRequest()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = fixture.Engine.GenerateAsync(Long("cancel me"), cancel.Token);
        // The single slot is taken: this one waits in the queue until the first is freed.
        var next = fixture.Engine.GenerateAsync(Long("next") with { MaxTokens = 5 }, TestContext.Current.CancellationToken);

        var seen = 0;
        await foreach (var chunk in running.WithCancellation(TestContext.Current.CancellationToken))
        {
            if (++seen == 3)
            {
                await cancel.CancelAsync();
                break;
            }
        }

        var cancelled = await running.Completion;
        var served = await next.Completion;

        Assert.Equal(FinishReason.Cancelled, cancelled.FinishReason);
        Assert.InRange(cancelled.CompletionTokens, 3, 199);
        Assert.Equal(FinishReason.Length, served.FinishReason);
        Assert.Equal(5, served.CompletionTokens);
    }

    [Fact]
    public async Task AbandonedEnumeration_CancelsTheGeneration()
    {
        var running = fixture.Engine.GenerateAsync(Long("abandon me"), TestContext.Current.CancellationToken);

        await foreach (var chunk in running)
        {
            break;
        }

        var result = await running.Completion;
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.True(result.CompletionTokens < 200, $"{result.CompletionTokens} tokens");
    }

    [Fact]
    public async Task CancelWhileQueued_CompletesWithoutRunning()
    {
        var first = fixture.Engine.GenerateAsync(Long("first") with { MaxTokens = 30 }, TestContext.Current.CancellationToken);
        var queued = fixture.Engine.GenerateAsync(Long("queued"), TestContext.Current.CancellationToken);

        queued.Cancel();

        var result = await queued.Completion;
        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.Equal(0, result.CompletionTokens);
        Assert.Equal(FinishReason.Length, (await first.Completion).FinishReason);
    }

    [Fact]
    public async Task ConsumerToken_CancelsEnumerationWithOperationCanceled()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = fixture.Engine.GenerateAsync(Long("cancel me"), TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var chunk in running.WithCancellation(cancel.Token))
            {
                await cancel.CancelAsync();
            }
        });

        Assert.Equal(FinishReason.Cancelled, (await running.Completion).FinishReason);
    }
}
