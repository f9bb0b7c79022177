using System.Buffers.Binary;
using Portal.Inference.Gguf;

namespace Portal.Tests.Inference.Gguf;

/// <summary>
/// Thousands of deterministic corruptions of the valid tiny model's header (bit flips, truncations,
/// huge numbers written into counts, lengths, dimensions and offsets): each file must either
/// validate or be refused with a <see cref="GgufValidationException"/>, never any other exception,
/// and without allocating more than a bounded amount. Case N is reproducible from its number alone.
/// </summary>
public sealed class GgufMutationTests
{
    private const int Cases = 4000;
    private const ulong BaseSeed = 0x6767_7566;

    /// <summary>A header parse of a file this small allocates well under a megabyte; 32 MiB means a length was trusted.</summary>
    private const long AllocationBoundBytes = 32L * 1024 * 1024;

    private static readonly ulong[] LargeNumbers =
    [
        0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
        100_000, 3_000_000_000, 1UL << 40, 1UL << 62, long.MaxValue, 1UL << 63, ulong.MaxValue - 31, ulong.MaxValue,
    ];

    [Fact]
    public void Mutations_EitherValidateOrFailWithGgufValidationException()
    {
        var original = TinyModelBytes.Copy();
        var header = GgufHeaderReader.Read(new MemoryStream(original));
        var headerEnd = (int)header.DataOffset;
        var fields = FieldOffsets(original, header);
        var working = (byte[])original.Clone();
        var outcomes = new Dictionary<string, int>();

        for (var caseNumber = 0; caseNumber < Cases; caseNumber++)
        {
            original.AsSpan(0, headerEnd).CopyTo(working);
            var random = new DeterministicRandom(BaseSeed + (ulong)caseNumber);
            var (length, description) = Mutate(working, original.Length, headerEnd, fields, random);

            var before = GC.GetAllocatedBytesForCurrentThread();
            string outcome;
            try
            {
                GgufInspector.Inspect(new MemoryStream(working, 0, length, writable: false));
                outcome = "valid";
            }
            catch (GgufValidationException e)
            {
                outcome = e.Code.ToString();
                Assert.False(string.IsNullOrWhiteSpace(e.Message), $"Case {caseNumber} ({description}): empty message for {e.Code}.");
            }
            catch (Exception e)
            {
                Assert.Fail($"Case {caseNumber} (seed {BaseSeed + (ulong)caseNumber}, {description}) threw {e.GetType().Name}: {e.Message}");
                throw;
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationBoundBytes, $"Case {caseNumber} ({description}) allocated {allocated} bytes.");
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}: {o.Value}")));

        // The corruptions must reach many different checks, or the loop is not testing much.
        Assert.True(outcomes.Count >= 15, $"Only {outcomes.Count} distinct outcomes: {string.Join(", ", outcomes.Keys)}");
    }

    private static (int Length, string Description) Mutate(byte[] file, int fileLength, int headerEnd, int[] fields, DeterministicRandom random)
    {
        switch (random.NextInt32(5))
        {
            case 0:
                var flips = 1 + random.NextInt32(8);
                for (var i = 0; i < flips; i++)
                {
                    file[random.NextInt32(headerEnd)] ^= (byte)(1 << random.NextInt32(8));
                }

                return (fileLength, $"{flips} bit flips");
            case 1:
                var cut = random.NextInt32(4) == 0 ? random.NextInt32(fileLength + 1) : random.NextInt32(headerEnd + 1);
                return (cut, $"truncated to {cut} bytes");
            case 2:
                var at = random.NextInt32(headerEnd - 8);
                var value = LargeNumbers[random.NextInt32(LargeNumbers.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at), value);
                return (fileLength, $"u64 {value} at {at}");
            case 3:
                var field = fields[random.NextInt32(fields.Length)];
                var number = LargeNumbers[random.NextInt32(LargeNumbers.Length)];
                BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(field), number);
                return (fileLength, $"u64 {number} into the field at {field}");
            default:
                var field32 = fields[random.NextInt32(fields.Length)];
                var number32 = (uint)LargeNumbers[random.NextInt32(LargeNumbers.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(field32), number32);
                return (fileLength, $"u32 {number32} into the field at {field32}");
        }
    }

    /// <summary>Offsets of the counts, lengths, types, dimensions and offsets in the valid header.</summary>
    private static int[] FieldOffsets(byte[] file, GgufHeader header)
    {
        var fields = new List<int> { 4, 8, 16, TinyModelBytes.FirstKeyLengthOffset };
        foreach (var (key, value) in header.MetadataEntries)
        {
            var valueAt = TinyModelBytes.ValueOffset(file, key);
            fields.Add(valueAt - 4); // type
            fields.Add(valueAt - 4 - key.Length - 8); // key length
            fields.Add(valueAt); // value, string length or array element type
            if (value.AsArray() is not null)
            {
                fields.Add(valueAt + 4); // array count
                fields.Add(valueAt + 12); // first element
            }
        }

        foreach (var tensor in header.Tensors)
        {
            var infoAt = TinyModelBytes.TensorInfoOffset(file, tensor.Name);
            fields.Add(infoAt - tensor.Name.Length - 8); // name length
            fields.Add(infoAt); // dimension count
            for (var d = 0; d < tensor.Shape.Count; d++)
            {
                fields.Add(infoAt + 4 + 8 * d);
            }

            var offsetAt = TinyModelBytes.TensorDataOffsetField(file, tensor.Name);
            fields.Add(offsetAt - 4); // type
            fields.Add(offsetAt); // data offset
        }

        return [.. fields];
    }
}
