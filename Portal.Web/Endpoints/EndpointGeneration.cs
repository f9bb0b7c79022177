using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Portal.Inference.Engine;
using Portal.Web.Chat;

namespace Portal.Web.Endpoints;

/// <summary>
/// An answer streaming from an endpoint model, with the shape of the engine's own generation: text as
/// it comes, the outcome in <see cref="Completion"/> (never faults), an <see cref="InferenceException"/>
/// at the end of a failed stream, and cancellation (the caller's token, or leaving the enumeration
/// early) aborting the HTTP request.
/// </summary>
public sealed class EndpointGeneration : IRunningGeneration, IDisposable
{
    private readonly Channel<TokenChunk> chunks = Channel.CreateUnbounded<TokenChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly TaskCompletionSource<GenerationResult> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource cancellation;
    private int enumerated;

    internal EndpointGeneration(CancellationToken callerToken) =>
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(callerToken);

    public Task<GenerationResult> Completion => completion.Task;

    /// <summary>Cancelled when the caller stops or abandons the answer.</summary>
    internal CancellationToken Token => cancellation.Token;

    /// <summary>Stops the answer: the HTTP request to the engine is aborted.</summary>
    public void Cancel()
    {
        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Ended meanwhile.
        }
    }

    public void Dispose() => cancellation.Dispose();

    public IAsyncEnumerator<TokenChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref enumerated, 1) == 0
            ? Read(cancellationToken).GetAsyncEnumerator(cancellationToken)
            : throw new InvalidOperationException("A generation stream can be enumerated once.");

    internal void Emit(TokenChunk chunk) => chunks.Writer.TryWrite(chunk);

    /// <summary>Ends the stream with <paramref name="result"/>; a failed one ends the enumeration with its error.</summary>
    internal void Complete(GenerationResult result)
    {
        chunks.Writer.TryComplete(result.FinishReason == FinishReason.Error ? new InferenceException(result.Error ?? "The generation failed.") : null);
        completion.TrySetResult(result);
    }

    private async IAsyncEnumerable<TokenChunk> Read([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var registration = cancellationToken.Register(Cancel);
        var finished = false;
        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return chunk;
            }

            finished = true;
        }
        finally
        {
            // Abandoned: nobody reads the rest, so stop the remote from writing it.
            if (!finished)
            {
                Cancel();
            }
        }
    }
}
