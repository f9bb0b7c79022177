namespace Portal.Inference.Gguf;

/// <summary>
/// Block size (elements per block) and type size (bytes per block) of each <see cref="GgmlType"/>,
/// copied from <c>type_traits</c> in ggml.c / <c>GGML_QUANT_SIZES</c> in gguf-py (QK_K = 256).
/// </summary>
public static class GgmlTypeTraits
{
    private const int QkK = 256;

    private static readonly Dictionary<GgmlType, (int BlockSize, int TypeSize)> Sizes = new()
    {
        [GgmlType.F32] = (1, 4),
        [GgmlType.F16] = (1, 2),
        [GgmlType.Q4_0] = (32, 2 + 16),
        [GgmlType.Q4_1] = (32, 2 + 2 + 16),
        [GgmlType.Q5_0] = (32, 2 + 4 + 16),
        [GgmlType.Q5_1] = (32, 2 + 2 + 4 + 16),
        [GgmlType.Q8_0] = (32, 2 + 32),
        [GgmlType.Q8_1] = (32, 2 + 2 + 32),
        [GgmlType.Q2_K] = (QkK, 2 + 2 + QkK / 16 + QkK / 4),
        [GgmlType.Q3_K] = (QkK, 2 + QkK / 4 + QkK / 8 + 12),
        [GgmlType.Q4_K] = (QkK, 2 + 2 + QkK / 2 + 12),
        [GgmlType.Q5_K] = (QkK, 2 + 2 + QkK / 2 + QkK / 8 + 12),
        [GgmlType.Q6_K] = (QkK, 2 + QkK / 2 + QkK / 4 + QkK / 16),
        [GgmlType.Q8_K] = (QkK, 4 + QkK + QkK / 8),
        [GgmlType.IQ2_XXS] = (QkK, 2 + QkK / 4),
        [GgmlType.IQ2_XS] = (QkK, 2 + QkK / 4 + QkK / 32),
        [GgmlType.IQ3_XXS] = (QkK, 2 + QkK / 4 + QkK / 8),
        [GgmlType.IQ1_S] = (QkK, 2 + QkK / 8 + QkK / 16),
        [GgmlType.IQ4_NL] = (32, 2 + 16),
        [GgmlType.IQ3_S] = (QkK, 2 + QkK / 4 + QkK / 8 + QkK / 32 + 4),
        [GgmlType.IQ2_S] = (QkK, 2 + QkK / 4 + QkK / 16),
        [GgmlType.IQ4_XS] = (QkK, 2 + 2 + QkK / 2 + QkK / 64),
        [GgmlType.I8] = (1, 1),
        [GgmlType.I16] = (1, 2),
        [GgmlType.I32] = (1, 4),
        [GgmlType.I64] = (1, 8),
        [GgmlType.F64] = (1, 8),
        [GgmlType.IQ1_M] = (QkK, QkK / 8 + QkK / 16 + QkK / 32),
        [GgmlType.BF16] = (1, 2),
        [GgmlType.TQ1_0] = (QkK, 2 + 4 * 13),
        [GgmlType.TQ2_0] = (QkK, 2 + 64),
        [GgmlType.MXFP4] = (32, 1 + 16),
        [GgmlType.NVFP4] = (64, 4 + 32),
        [GgmlType.Q1_0] = (128, 2 + 16),
        [GgmlType.Q2_0] = (64, 2 + 16),
    };

    /// <summary>True when <paramref name="rawType"/> is a type llama.cpp can load from a file.</summary>
    public static bool IsKnown(uint rawType) => Sizes.ContainsKey((GgmlType)rawType);

    public static int BlockSize(GgmlType type) => Lookup(type).BlockSize;

    public static int TypeSize(GgmlType type) => Lookup(type).TypeSize;

    /// <summary>
    /// Bytes a tensor of <paramref name="type"/> with <paramref name="shape"/> (ne0 first) occupies,
    /// or null when the first dimension is not a whole number of blocks or the size overflows 64 bits.
    /// </summary>
    public static ulong? TryGetByteSize(GgmlType type, IReadOnlyList<ulong> shape)
    {
        var (blockSize, typeSize) = Lookup(type);
        if (shape.Count == 0 || shape[0] % (ulong)blockSize != 0)
        {
            return null;
        }

        try
        {
            var bytes = checked(shape[0] / (ulong)blockSize * (ulong)typeSize);
            for (var i = 1; i < shape.Count; i++)
            {
                bytes = checked(bytes * shape[i]);
            }

            return bytes;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>Byte size of a well-formed tensor; throws when the shape does not fit the type.</summary>
    public static ulong ByteSize(GgmlType type, IReadOnlyList<ulong> shape) =>
        TryGetByteSize(type, shape)
        ?? throw new ArgumentException($"Shape [{string.Join(", ", shape)}] does not fit type {type} (row not a multiple of its block size {BlockSize(type)}, or size overflows).", nameof(shape));

    private static (int BlockSize, int TypeSize) Lookup(GgmlType type) =>
        Sizes.TryGetValue(type, out var sizes)
            ? sizes
            : throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ggml type.");
}
