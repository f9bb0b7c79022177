using Portal.Inference.Native;

namespace Portal.Inference.Engine;

/// <summary>
/// Runs GGUF models through llama.cpp, many conversations at once: in this process
/// (<see cref="InferenceEngine"/>, what a worker runs) or on worker processes over the node hub.
/// </summary>
public interface IInferenceEngine
{
    /// <summary>The compute devices llama.cpp found (empty until the first load).</summary>
    IReadOnlyList<ComputeDevice> Devices { get; }

    IReadOnlyCollection<LoadedModelInfo> LoadedModels { get; }

    /// <summary>Loads a model; <paramref name="progress"/> gets 0..1. Fails with llama.cpp's reason.</summary>
    Task<LoadedModelInfo> LoadAsync(ModelLoadRequest request, IProgress<float>? progress = null, CancellationToken cancellationToken = default);

    /// <summary>Cancels the model's conversations and frees it.</summary>
    Task UnloadAsync(string modelId, CancellationToken cancellationToken = default);

    /// <summary>Tokens the chat <paramref name="messages"/> take once formatted with the model's template (for context-window trimming).</summary>
    Task<int> CountPromptTokensAsync(string modelId, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Queues a generation; enumerate the result for tokens, await its Completion for the outcome.</summary>
    Generation GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default);
}
