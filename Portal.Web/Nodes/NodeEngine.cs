using Portal.Inference.Engine;
using Portal.Inference.Native;

namespace Portal.Web.Nodes;

/// <summary>
/// The portal's <see cref="IInferenceEngine"/> in <see cref="InferenceMode.Processes"/>: loads start
/// supervised worker processes (<see cref="LocalWorkers"/>), and everything else is routed to the nodes
/// that have the model (<see cref="NodeRegistry"/>). No llama.cpp code runs in the portal's process.
/// </summary>
public sealed class NodeEngine(NodeRegistry registry, LocalWorkers workers) : IInferenceEngine
{
    public IReadOnlyList<ComputeDevice> Devices => [];

    public IReadOnlyCollection<LoadedModelInfo> LoadedModels => [.. registry.LoadedModels];

    public Task<LoadedModelInfo> LoadAsync(ModelLoadRequest request, IProgress<float>? progress = null, CancellationToken cancellationToken = default) =>
        workers.LoadAsync(request, cancellationToken);

    public Task UnloadAsync(string modelId, CancellationToken cancellationToken = default) => workers.UnloadAsync(modelId);

    public Task<int> CountPromptTokensAsync(string modelId, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default) =>
        messages is { Count: 0 } ? Task.FromResult(0) : registry.CountPromptTokensAsync(modelId, messages, cancellationToken);

    public Generation GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var generation = registry.Generate(request, cancellationToken);
        _ = generation.Completion.ContinueWith(
            done =>
            {
                if (done.Result.FinishReason is FinishReason.Stop or FinishReason.Length)
                {
                    workers.Answered(request.ModelId);
                }
            },
            TaskScheduler.Default);
        return generation;
    }
}
