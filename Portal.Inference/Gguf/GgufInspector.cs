namespace Portal.Inference.Gguf;

/// <summary>
/// The entry point: validate a GGUF file from its header alone and describe the model in it.
/// Invalid files raise <see cref="GgufValidationException"/> with the reason.
/// </summary>
public static class GgufInspector
{
    /// <summary>Validates the file at <paramref name="path"/>, describes it, and hashes it (streamed).</summary>
    public static async Task<GgufModelInfo> InspectAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var header = GgufHeaderReader.Read(path);
        GgufValidator.Validate(header);
        var info = Describe(header);
        return info with { Sha256 = await GgufFile.ComputeSha256Async(path, cancellationToken).ConfigureAwait(false) };
    }

    /// <summary>Validates the header of <paramref name="stream"/> (seekable) and describes the model, without hashing.</summary>
    public static GgufModelInfo Inspect(Stream stream)
    {
        var header = Validate(stream);
        return Describe(header);
    }

    /// <summary>Reads and validates only the header of <paramref name="stream"/> (seekable).</summary>
    public static GgufHeader Validate(Stream stream)
    {
        var header = GgufHeaderReader.Read(stream);
        GgufValidator.Validate(header);
        return header;
    }

    /// <summary>Describes a header that <see cref="GgufValidator"/> accepted.</summary>
    public static GgufModelInfo Describe(GgufHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var architecture = GgufValidator.RequireString(header, GgufValidator.ArchitectureKey);
        long? Integer(string suffix) => FirstInteger(header.Get($"{architecture}.{suffix}"));
        var fileType = header.Get("general.file_type")?.AsInt64() is { } ft and >= 0 and <= uint.MaxValue ? (uint?)ft : null;

        return new GgufModelInfo
        {
            Architecture = architecture,
            Name = header.GetString("general.name"),
            ParameterCount = header.Tensors.Aggregate(0UL, (sum, t) => sum + t.ElementCount),
            Quantization = QuantizationNames.For(fileType, header.Tensors),
            FileType = fileType,
            ContextLength = Integer("context_length"),
            LayerCount = (int?)Integer("block_count"),
            VocabularySize = header.Get(GgufValidator.TokensKey)?.AsArray()?.Count ?? 0,
            EmbeddingLength = Integer("embedding_length"),
            HeadCount = Integer("attention.head_count"),
            HeadCountKv = Integer("attention.head_count_kv") ?? Integer("attention.head_count"),
            ChatTemplate = header.GetString("tokenizer.chat_template"),
            Version = header.Version,
            TensorCount = header.Tensors.Count,
            FileSize = header.FileLength,
        };
    }

    /// <summary>An integer value, or the first element of a per-layer integer array.</summary>
    private static long? FirstInteger(GgufValue? value) => value switch
    {
        null => null,
        { Value: GgufArray { Count: > 0 } array } => array.Items.GetValue(0) switch
        {
            int i => i,
            uint u => u,
            _ => null,
        },
        _ => value.AsInt64(),
    };
}
