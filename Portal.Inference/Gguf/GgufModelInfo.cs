namespace Portal.Inference.Gguf;

/// <summary>What the portal shows and stores about a validated GGUF model file.</summary>
public sealed record GgufModelInfo
{
    public required string Architecture { get; init; }

    /// <summary><c>general.name</c>, when the file has one.</summary>
    public string? Name { get; init; }

    /// <summary>Sum of the element counts of all tensors.</summary>
    public required ulong ParameterCount { get; init; }

    /// <summary>Quantisation name such as "Q8_0", "F16" or "Q4_K_M".</summary>
    public required string Quantization { get; init; }

    /// <summary>Raw <c>general.file_type</c>, when present.</summary>
    public uint? FileType { get; init; }

    public long? ContextLength { get; init; }

    public int? LayerCount { get; init; }

    public int VocabularySize { get; init; }

    public long? EmbeddingLength { get; init; }

    public long? HeadCount { get; init; }

    public long? HeadCountKv { get; init; }

    public string? ChatTemplate { get; init; }

    public required uint Version { get; init; }

    public required int TensorCount { get; init; }

    public required long FileSize { get; init; }

    /// <summary>Lower-case hex SHA-256 of the whole file; null when the caller did not hash it.</summary>
    public string? Sha256 { get; init; }
}
