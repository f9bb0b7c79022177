using Portal.Inference.Engine;

namespace Portal.Web.Chat;

/// <summary>
/// A generation in flight, whichever backend runs it (the portal's engine or an external endpoint):
/// enumerate it once for the text as it comes, await <see cref="Completion"/> for the outcome. It has the
/// shape of the engine's <see cref="Generation"/>: leaving the enumeration early cancels it, the stream
/// ends with an <see cref="InferenceException"/> when it failed, and <see cref="Completion"/> never faults.
/// </summary>
public interface IRunningGeneration : IAsyncEnumerable<TokenChunk>
{
    Task<GenerationResult> Completion { get; }
}

/// <summary>The engine's own <see cref="Generation"/> as an <see cref="IRunningGeneration"/>.</summary>
internal sealed class EngineGeneration(Generation generation) : IRunningGeneration
{
    public Task<GenerationResult> Completion => generation.Completion;

    public IAsyncEnumerator<TokenChunk> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        generation.GetAsyncEnumerator(cancellationToken);
}
