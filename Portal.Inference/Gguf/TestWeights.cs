using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Portal.Inference.Gguf;

/// <summary>
/// Streams random but finite tensor data of a given type into a <see cref="GgufWriter"/> from one
/// reusable buffer, so generating a model of any size needs about a megabyte of memory.
/// </summary>
internal sealed class TestWeights
{
    private const int ChunkBytes = 1 << 20;

    private readonly DeterministicRandom _random;
    private readonly byte[] _buffer = new byte[ChunkBytes];
    private readonly ushort[] _q8Scales;

    public TestWeights(DeterministicRandom random)
    {
        _random = random;

        // Small positive fp16 scales (0.0005..0.002): int8 * scale stays well inside fp16 and f32 range.
        _q8Scales = new ushort[16];
        for (var i = 0; i < _q8Scales.Length; i++)
        {
            _q8Scales[i] = BitConverter.HalfToUInt16Bits((Half)(0.0005f + 0.0001f * i));
        }
    }

    /// <summary>Writes the data of <paramref name="tensor"/>; norm weights (1-D) are near 1, others small.</summary>
    public void Write(GgufWriter writer, GgufTensorInfo tensor)
    {
        var unit = UnitBytes(tensor.Type);
        var chunkUnits = ChunkBytes / unit;
        var remaining = tensor.ByteSize / (ulong)unit;
        var isNorm = tensor.Shape.Count == 1;
        while (remaining > 0)
        {
            var units = (int)Math.Min(remaining, (ulong)chunkUnits);
            var chunk = _buffer.AsSpan(0, units * unit);
            Fill(tensor.Type, chunk, isNorm);
            writer.WriteTensorData(chunk);
            remaining -= (ulong)units;
        }
    }

    private static int UnitBytes(GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 => 2,
        GgmlType.Q8_0 => GgmlTypeTraits.TypeSize(GgmlType.Q8_0),
        _ => throw new NotSupportedException($"Generating {type} data is not supported."),
    };

    /// <summary>
    /// Keeps each fp16's sign and mantissa and forces its exponent into 9..12: magnitudes 0.016..0.25,
    /// never inf or NaN. Four halves at a time: the lanes' 2-bit fields plus 9 cannot carry into a neighbour.
    /// </summary>
    private static void ForceSmallHalves(Span<byte> chunk)
    {
        const ulong keep = 0x83FF_83FF_83FF_83FF;
        const ulong lowTwoBits = 0x0003_0003_0003_0003;
        const ulong nine = 0x0009_0009_0009_0009;
        var words = MemoryMarshal.Cast<byte, ulong>(chunk);
        for (var i = 0; i < words.Length; i++)
        {
            var x = words[i];
            words[i] = (x & keep) | ((((x >> 10) & lowTwoBits) + nine) << 10);
        }

        for (var offset = words.Length * sizeof(ulong); offset < chunk.Length; offset += 2)
        {
            var bits = BinaryPrimitives.ReadUInt16LittleEndian(chunk[offset..]);
            var exponent = 9 + ((bits >> 10) & 3);
            BinaryPrimitives.WriteUInt16LittleEndian(chunk[offset..], (ushort)((bits & 0x83FF) | (exponent << 10)));
        }
    }

    private void Fill(GgmlType type, Span<byte> chunk, bool isNorm)
    {
        switch (type)
        {
            case GgmlType.F32:
                for (var offset = 0; offset < chunk.Length; offset += 4)
                {
                    var value = isNorm
                        ? 0.9f + 0.2f * (float)_random.NextDouble()
                        : 0.1f * ((float)_random.NextDouble() - 0.5f);
                    BinaryPrimitives.WriteSingleLittleEndian(chunk[offset..], value);
                }

                break;

            case GgmlType.F16:
                _random.NextBytes(chunk);
                ForceSmallHalves(chunk);
                break;

            case GgmlType.Q8_0:
                _random.NextBytes(chunk);
                var blockBytes = GgmlTypeTraits.TypeSize(GgmlType.Q8_0);
                for (var offset = 0; offset < chunk.Length; offset += blockBytes)
                {
                    // Block layout: fp16 scale then 32 int8 quants; the random quant bytes stay as they are.
                    var scale = _q8Scales[chunk[offset] & 15];
                    BinaryPrimitives.WriteUInt16LittleEndian(chunk[offset..], scale);
                }

                break;

            default:
                throw new NotSupportedException($"Generating {type} data is not supported.");
        }
    }
}
