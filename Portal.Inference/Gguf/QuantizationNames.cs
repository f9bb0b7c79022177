namespace Portal.Inference.Gguf;

/// <summary>
/// Short quantisation names ("Q4_K_M", "F16", ...) from <c>general.file_type</c>, as llama.cpp's
/// quantize tool names them; without a known file type, the type holding most of the tensor bytes.
/// </summary>
public static class QuantizationNames
{
    private static readonly Dictionary<LlamaFileType, string> ByFileType = new()
    {
        [LlamaFileType.AllF32] = "F32",
        [LlamaFileType.MostlyF16] = "F16",
        [LlamaFileType.MostlyBF16] = "BF16",
        [LlamaFileType.MostlyQ4_0] = "Q4_0",
        [LlamaFileType.MostlyQ4_1] = "Q4_1",
        [LlamaFileType.MostlyQ5_0] = "Q5_0",
        [LlamaFileType.MostlyQ5_1] = "Q5_1",
        [LlamaFileType.MostlyQ8_0] = "Q8_0",
        [LlamaFileType.MostlyQ2_K] = "Q2_K",
        [LlamaFileType.MostlyQ2_K_S] = "Q2_K_S",
        [LlamaFileType.MostlyQ3_K_S] = "Q3_K_S",
        [LlamaFileType.MostlyQ3_K_M] = "Q3_K_M",
        [LlamaFileType.MostlyQ3_K_L] = "Q3_K_L",
        [LlamaFileType.MostlyQ4_K_S] = "Q4_K_S",
        [LlamaFileType.MostlyQ4_K_M] = "Q4_K_M",
        [LlamaFileType.MostlyQ5_K_S] = "Q5_K_S",
        [LlamaFileType.MostlyQ5_K_M] = "Q5_K_M",
        [LlamaFileType.MostlyQ6_K] = "Q6_K",
        [LlamaFileType.MostlyIQ2_XXS] = "IQ2_XXS",
        [LlamaFileType.MostlyIQ2_XS] = "IQ2_XS",
        [LlamaFileType.MostlyIQ2_S] = "IQ2_S",
        [LlamaFileType.MostlyIQ2_M] = "IQ2_M",
        [LlamaFileType.MostlyIQ3_XS] = "IQ3_XS",
        [LlamaFileType.MostlyIQ3_XXS] = "IQ3_XXS",
        [LlamaFileType.MostlyIQ3_S] = "IQ3_S",
        [LlamaFileType.MostlyIQ3_M] = "IQ3_M",
        [LlamaFileType.MostlyIQ1_S] = "IQ1_S",
        [LlamaFileType.MostlyIQ1_M] = "IQ1_M",
        [LlamaFileType.MostlyIQ4_NL] = "IQ4_NL",
        [LlamaFileType.MostlyIQ4_XS] = "IQ4_XS",
        [LlamaFileType.MostlyTQ1_0] = "TQ1_0",
        [LlamaFileType.MostlyTQ2_0] = "TQ2_0",
        [LlamaFileType.MostlyMXFP4_MoE] = "MXFP4_MOE",
        [LlamaFileType.MostlyNVFP4] = "NVFP4",
        [LlamaFileType.MostlyQ1_0] = "Q1_0",
        [LlamaFileType.MostlyQ2_0] = "Q2_0",
    };

    public static string For(uint? fileType, IReadOnlyList<GgufTensorInfo> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (fileType is { } raw && ByFileType.TryGetValue((LlamaFileType)raw, out var name))
        {
            return name;
        }

        return DominantType(tensors)?.ToString() ?? "unknown";
    }

    /// <summary>The tensor type that holds the most bytes, or null without tensors.</summary>
    public static GgmlType? DominantType(IReadOnlyList<GgufTensorInfo> tensors) =>
        tensors.Count == 0
            ? null
            : tensors.GroupBy(t => t.Type)
                .Select(g => (Type: g.Key, Bytes: g.Aggregate(0UL, (sum, t) => sum + t.ByteSize)))
                .OrderByDescending(g => g.Bytes)
                .ThenBy(g => g.Type)
                .First().Type;
}
