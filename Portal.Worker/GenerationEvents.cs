using System.Collections.Concurrent;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;

namespace Portal.Worker;

/// <summary>
/// How a worker's generations reach the portal: Started, tokens and Finished of every generation go
/// through one queue, sent by whichever generation finds nobody sending (on its own thread, without a
/// hop to a sender loop). The first token of an idle worker goes out at once; the tokens that arrive
/// while a send is on the wire (the other conversations' tokens of the same decode step, or a fast GPU's
/// next ones) leave together in the next Tokens invocation, one frame per generation. So the portal gets
/// one invocation per send, not per token, and a generation's Finished never overtakes its last tokens.
/// </summary>
internal sealed class GenerationEvents(Func<string, object?[], Task> send)
{
    private readonly ConcurrentQueue<Event> queue = new();
    private int draining;

    public Task Started(string generationId, int promptTokens) => Enqueue(new Event(generationId, promptTokens, null, 0, null));

    public Task Token(string generationId, string text, int completionTokens) => Enqueue(new Event(generationId, null, text, completionTokens, null));

    public Task Finished(string generationId, GenerationResult result) => Enqueue(new Event(generationId, null, null, 0, result));

    private Task Enqueue(Event item)
    {
        queue.Enqueue(item);
        return Interlocked.CompareExchange(ref draining, 1, 0) == 0 ? DrainAsync() : Task.CompletedTask;
    }

    /// <summary>Sends until the queue is empty; <c>send</c> deals with a lost connection itself.</summary>
    private async Task DrainAsync()
    {
        var frames = new List<TokenFrame>();
        try
        {
            while (true)
            {
                while (queue.TryDequeue(out var item))
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
                Volatile.Write(ref draining, 0);

                // An event queued after the last dequeue, while this was still draining, was left to this drain.
                if (queue.IsEmpty || Interlocked.CompareExchange(ref draining, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        catch
        {
            Volatile.Write(ref draining, 0);
            throw;
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
