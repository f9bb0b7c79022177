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

    /// <summary>
    /// The file's SHA-256 (lower-case hex) when the request comes from a portal: a remote node without
    /// <see cref="Path"/> loads the file of that name from its own models folder only if its hash matches.
    /// </summary>
    public string? Sha256 { get; init; }

    /// <summary>The file's size in bytes when the request comes from a portal: a node that downloads it checks its free space first.</summary>
    public long? SizeBytes { get; init; }
}
