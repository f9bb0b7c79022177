using System.Buffers.Binary;
using System.Text;
using Portal.Inference.Gguf;

namespace Portal.Tests.Inference.Gguf;

/// <summary>
/// The tiny llama model in memory, and byte-level patches of it that locate fields by the key or
/// tensor name before them, the way a hostile file would be crafted by hand.
/// </summary>
internal static class TinyModelBytes
{
    private static readonly Lazy<byte[]> Valid = new(() =>
    {
        using var stream = new MemoryStream();
        TestModels.Write(stream, TestModels.TinyLlamaShape, seed: 42);
        return stream.ToArray();
    });

    /// <summary>A fresh copy of the valid tiny model (seed 42, with chat template).</summary>
    public static byte[] Copy() => (byte[])Valid.Value.Clone();

    /// <summary>Offset of the first metadata key's u64 length (right after magic, version and counts).</summary>
    public const int FirstKeyLengthOffset = GgufHeaderReader.FixedHeaderBytes;

    /// <summary>Offset of the value of metadata <paramref name="key"/> (after its key and its u32 type).</summary>
    public static int ValueOffset(byte[] file, string key) => EndOfLengthPrefixedString(file, key) + 4;

    /// <summary>Offset of the u32 dimension count that follows tensor <paramref name="name"/> in its tensor info.</summary>
    public static int TensorInfoOffset(byte[] file, string name) => EndOfLengthPrefixedString(file, name);

    /// <summary>Offset of the u64 data offset of tensor <paramref name="name"/>.</summary>
    public static int TensorDataOffsetField(byte[] file, string name)
    {
        var at = TensorInfoOffset(file, name);
        var dims = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));
        return at + 4 + 8 * dims + 4;
    }

    public static void WriteUInt32(byte[] file, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(offset), value);

    public static void WriteUInt64(byte[] file, int offset, ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(offset), value);

    public static GgufModelInfo Inspect(byte[] file) => GgufInspector.Inspect(new MemoryStream(file, writable: false));

    private static int EndOfLengthPrefixedString(byte[] file, string text)
    {
        var textBytes = Encoding.UTF8.GetBytes(text);
        var pattern = new byte[8 + textBytes.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(pattern, (ulong)textBytes.Length);
        textBytes.CopyTo(pattern, 8);
        var at = file.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, $"'{text}' not found in the model file.");
        return at + pattern.Length;
    }
}
