using System.Threading.Channels;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;

namespace Portal.Worker;

/// <summary>
/// How a worker's generations reach the portal: Started, tokens and Finished of every generation go
/// through one queue, and one sender sends whatever is queued when it gets to it. The first token of an
/// idle worker goes out at once; the tokens that arrive while a send is on the wire (the other
/// conversations' tokens of the same decode step, or a fast GPU's next ones) leave together in the next
/// Tokens invocation, one frame per generation. So the portal gets one invocation per send, not per
/// token, and a generation's Finished never overtakes its last tokens.
/// </summary>
internal sealed class GenerationEvents(Func<string, object?[], Task> send)
{
    private readonly Channel<Event> queue = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });

    public void Started(string generationId, int promptTokens) => queue.Writer.TryWrite(new Event(generationId, promptTokens, null, 0, null));

    public void Token(string generationId, string text, int completionTokens) => queue.Writer.TryWrite(new Event(generationId, null, text, completionTokens, null));

    public void Finished(string generationId, GenerationResult result) => queue.Writer.TryWrite(new Event(generationId, null, null, 0, result));

    /// <summary>Sends until <paramref name="stoppingToken"/>; <c>send</c> deals with a lost connection itself.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var frames = new List<TokenFrame>();
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (queue.Reader.TryRead(out var item))
                {
                    if (item.PromptTokens is { } promptTokens)
                    {
                        // Its tokens are behind it in the queue: it may go ahead of the other generations' pending tokens.
                        await send(NodeHubMethods.Started, [item.GenerationId, promptTokens]);
                    }
                    else if (item.Text is { } text)
                    {
                        Add(frames, item.GenerationId, text, item.CompletionTokens);
                    }
                    else if (item.Result is { } result)
                    {
                        await FlushAsync(frames);
                        await send(NodeHubMethods.Finished, [item.GenerationId, result]);
                    }
                }

                await FlushAsync(frames);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The worker stops.
        }
    }

    private static void Add(List<TokenFrame> frames, string generationId, string text, int completionTokens)
    {
        var index = frames.FindIndex(f => f.GenerationId == generationId);
        if (index < 0)
        {
            frames.Add(new TokenFrame(generationId, text, completionTokens));
        }
        else
        {
            frames[index] = new TokenFrame(generationId, frames[index].Text + text, completionTokens);
        }
    }

    private async Task FlushAsync(List<TokenFrame> frames)
    {
        if (frames.Count > 0)
        {
            TokenFrame[] batch = [.. frames];
            frames.Clear();
            await send(NodeHubMethods.Tokens, [batch]);
        }
    }

    /// <summary>One of: a start (PromptTokens), a piece of text (Text), an end (Result).</summary>
    private sealed record Event(string GenerationId, int? PromptTokens, string? Text, int CompletionTokens, GenerationResult? Result);
}
