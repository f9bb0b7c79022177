using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Portal.Inference.Engine;

/// <summary>
/// A running generation: enumerate it (once) for the answer's text as it comes, await
/// <see cref="Completion"/> for the outcome. Cancelling the enumeration, or leaving it early,
/// cancels the generation and frees its slot.
/// </summary>
public sealed class Generation : IAsyncEnumerable<TokenChunk>
{
    private readonly ChannelReader<TokenChunk> chunks;
    private readonly Action cancel;
    private readonly Func<int> promptTokens;
    private int enumerated;

    internal Generation(Conversation conversation)
        : this(conversation.Chunks, conversation.Completion, conversation.Cancel, () => conversation.PromptTokens.Length)
    {
    }

    /// <summary>
    /// A generation that runs elsewhere (a worker process): <paramref name="chunks"/> completes with an
    /// <see cref="InferenceException"/> when it fails, and <paramref name="completion"/> never faults.
    /// </summary>
    public Generation(ChannelReader<TokenChunk> chunks, Task<GenerationResult> completion, Action cancel, Func<int> promptTokens)
    {
        this.chunks = chunks;
        Completion = completion;
        this.cancel = cancel;
        this.promptTokens = promptTokens;
    }

    /// <summary>Tokens of the prompt as submitted to the model.</summary>
    public int PromptTokens => promptTokens();

    /// <summary>The outcome; completes when the slot is freed. Never faults: errors are a finish reason.</summary>
    public Task<GenerationResult> Completion { get; }

    /// <summary>Stops the generation within one decode step.</summary>
    public void Cancel() => cancel();

    public IAsyncEnumerator<TokenChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref enumerated, 1) == 0
            ? Read(cancellationToken).GetAsyncEnumerator(cancellationToken)
            : throw new InvalidOperationException("A generation stream can be enumerated once.");

    private async IAsyncEnumerable<TokenChunk> Read([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var registration = cancellationToken.Register(cancel);
        var finished = false;
        try
        {
            await foreach (var chunk in chunks.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return chunk;
            }

            finished = true;
        }
        finally
        {
            // Abandoned: nobody reads the rest, so stop computing it.
            if (!finished)
            {
                cancel();
            }
        }
    }
}
