namespace Portal.Inference.Gguf;

/// <summary>
/// Dimensions of a generated llama-architecture model. The defaults are those of a real small model
/// (24 layers, 896-dim, 14 heads, 2 KV heads, 4864 FFN, 32000 tokens) in Q8_0: about 450 MB.
/// </summary>
public sealed record BenchmarkModelShape
{
    public int BlockCount { get; init; } = 24;

    public int EmbeddingLength { get; init; } = 896;

    public int HeadCount { get; init; } = 14;

    public int HeadCountKv { get; init; } = 2;

    public int FeedForwardLength { get; init; } = 4864;

    /// <summary>Token count; at least <see cref="TestVocabulary.BaseTokenCount"/> (specials, bytes, ASCII).</summary>
    public int VocabularySize { get; init; } = 32000;

    public int ContextLength { get; init; } = 4096;

    /// <summary>Type of the 2-D weights: <see cref="GgmlType.Q8_0"/>, <see cref="GgmlType.F16"/> or <see cref="GgmlType.F32"/>. Norms are always F32.</summary>
    public GgmlType WeightType { get; init; } = GgmlType.Q8_0;

    public string Name { get; init; } = "portal-benchmark-llama";

    public bool IncludeChatTemplate { get; init; } = true;

    public int HeadDimension => EmbeddingLength / HeadCount;

    /// <summary>Throws when the shape could not make a loadable model.</summary>
    public void Validate()
    {
        if (BlockCount < 1 || EmbeddingLength < 1 || HeadCount < 1 || HeadCountKv < 1 || FeedForwardLength < 1 || ContextLength < 1)
        {
            throw new ArgumentException("Every dimension of the model shape must be above zero.");
        }

        if (EmbeddingLength % HeadCount != 0 || HeadCount % HeadCountKv != 0)
        {
            throw new ArgumentException($"Embedding length {EmbeddingLength} must divide by head count {HeadCount}, and head count by KV head count {HeadCountKv}.");
        }

        if (VocabularySize < TestVocabulary.BaseTokenCount || VocabularySize > TestVocabulary.MaxTokenCount)
        {
            throw new ArgumentException($"Vocabulary size must be within {TestVocabulary.BaseTokenCount}..{TestVocabulary.MaxTokenCount}.");
        }

        if (WeightType is not (GgmlType.Q8_0 or GgmlType.F16 or GgmlType.F32))
        {
            throw new ArgumentException($"Weight type {WeightType} is not generated; use Q8_0, F16 or F32.");
        }

        var block = (ulong)GgmlTypeTraits.BlockSize(WeightType);
        if ((ulong)EmbeddingLength % block != 0 || (ulong)FeedForwardLength % block != 0)
        {
            throw new ArgumentException($"Embedding and feed-forward lengths must be multiples of {block} for {WeightType}.");
        }
    }
}
