using System.Runtime.CompilerServices;

namespace Portal.Inference.Engine;

/// <summary>
/// A running generation: enumerate it (once) for the answer's text as it comes, await
/// <see cref="Completion"/> for the outcome. Cancelling the enumeration, or leaving it early,
/// cancels the generation and frees its slot.
/// </summary>
public sealed class Generation : IAsyncEnumerable<TokenChunk>
{
    private readonly Conversation conversation;
    private int enumerated;

    internal Generation(Conversation conversation) => this.conversation = conversation;

    /// <summary>Tokens of the prompt as submitted to the model.</summary>
    public int PromptTokens => conversation.PromptTokens.Length;

    /// <summary>The outcome; completes when the slot is freed. Never faults: errors are a finish reason.</summary>
    public Task<GenerationResult> Completion => conversation.Completion;

    /// <summary>Stops the generation within one decode step.</summary>
    public void Cancel() => conversation.Cancel();

    public IAsyncEnumerator<TokenChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref enumerated, 1) == 0
            ? Read(cancellationToken).GetAsyncEnumerator(cancellationToken)
            : throw new InvalidOperationException("A generation stream can be enumerated once.");

    private async IAsyncEnumerable<TokenChunk> Read([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var registration = cancellationToken.Register(conversation.Cancel);
        var finished = false;
        try
        {
            await foreach (var chunk in conversation.Chunks.ReadAllAsync(cancellationToken).ConfigureAwait(false))
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
                conversation.Cancel();
            }
        }
    }
}
