using Portal.Inference.Engine;
using Portal.Inference.Nodes;
using Portal.Worker;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// The worker's token frames: while one send is on the wire, what the generations produce is held and
/// leaves in one Tokens invocation, one frame per generation, without reordering a generation's events.
/// </summary>
public sealed class GenerationEventsTests
{
    [Fact]
    public async Task TokensQueuedDuringASend_LeaveTogether_OneFramePerGeneration_BeforeTheirFinished()
    {
        var sent = new List<(string Method, object?[] Arguments)>();
        var wire = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var events = new GenerationEvents(async (method, arguments) =>
        {
            sent.Add((method, arguments));
            if (sent.Count == 1)
            {
                await wire.Task; // the first send is still on the wire while the rest is queued
            }
        });
        var result = new GenerationResult(FinishReason.Length, "", 3, 2, null, TimeSpan.Zero);

        var first = events.Started("a", 3);
        await events.Token("a", "Hel", 1);
        await events.Token("b", "Yes", 1);
        await events.Token("a", "lo", 2);
        await events.Finished("a", result);
        await events.Token("b", "!", 2);
        Assert.Single(sent);

        wire.SetResult();
        await first;

        Assert.Equal([NodeHubMethods.Started, NodeHubMethods.Tokens, NodeHubMethods.Finished, NodeHubMethods.Tokens], sent.Select(s => s.Method));
        Assert.Equal(new object?[] { "a", 3 }, sent[0].Arguments);
        Assert.Equal([new TokenFrame("a", "Hello", 2), new TokenFrame("b", "Yes", 1)], (TokenFrame[])sent[1].Arguments[0]!);
        Assert.Equal(new object?[] { "a", result }, sent[2].Arguments);
        Assert.Equal([new TokenFrame("b", "!", 2)], (TokenFrame[])sent[3].Arguments[0]!);
    }

    [Fact]
    public async Task AnIdleWorker_SendsAFirstTokenAtOnce()
    {
        var sent = new List<string>();
        var events = new GenerationEvents((method, arguments) =>
        {
            sent.Add($"{method}:{string.Join(",", ((TokenFrame[])arguments[0]!).Select(f => f.Text))}");
            return Task.CompletedTask;
        });

        await events.Token("a", "One", 1);
        Assert.Equal(["Tokens:One"], sent);
        await events.Token("a", "Two", 2);
        Assert.Equal(["Tokens:One", "Tokens:Two"], sent);
    }
}
