namespace Portal.Inference.Engine;

/// <summary>Loads the GGUF file at <paramref name="Path"/> under the name <paramref name="ModelId"/>.</summary>
public sealed record ModelLoadRequest(string ModelId, string Path)
{
    /// <summary>Overrides <see cref="InferenceOptions.ContextSize"/> for this model.</summary>
    public int? ContextSize { get; init; }

    /// <summary>Overrides <see cref="InferenceOptions.Slots"/> for this model.</summary>
    public int? Slots { get; init; }

    /// <summary>Overrides <see cref="InferenceOptions.GpuLayers"/> for this model.</summary>
    public int? GpuLayers { get; init; }
}
