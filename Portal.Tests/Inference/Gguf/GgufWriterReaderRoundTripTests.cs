using Portal.Inference.Gguf;

namespace Portal.Tests.Inference.Gguf;

public sealed class GgufWriterReaderRoundTripTests
{
    [Fact]
    public void RoundTrip_EveryValueTypeAndArray_ReadBackUnchanged()
    {
        var written = new List<KeyValuePair<string, GgufValue>>
        {
            new("u8", GgufValue.UInt8(200)),
            new("i8", GgufValue.Int8(-100)),
            new("u16", GgufValue.UInt16(65000)),
            new("i16", GgufValue.Int16(-32000)),
            new("u32", GgufValue.UInt32(4_000_000_000)),
            new("i32", GgufValue.Int32(-2_000_000_000)),
            new("f32", GgufValue.Float32(1.5e-5f)),
            new("bool", GgufValue.Bool(true)),
            new("string", GgufValue.String("héllo ▁ wörld")),
            new("u64", GgufValue.UInt64(ulong.MaxValue)),
            new("i64", GgufValue.Int64(long.MinValue)),
            new("f64", GgufValue.Float64(Math.PI)),
            new("strings", GgufValue.StringArray(["a", "", "ü"])),
            new("floats", GgufValue.Float32Array([1f, -2f])),
            new("ints", GgufValue.Int32Array([7, -8, 9])),
            new("u8s", GgufValue.Array(new GgufArray(GgufValueType.UInt8, new object[] { (byte)1, (byte)2 }))),
            new("empty", GgufValue.Array(new GgufArray(GgufValueType.UInt64, Array.Empty<object>()))),
        };

        using var stream = new MemoryStream();
        using (var writer = new GgufWriter(stream, alignment: 64, leaveOpen: true))
        {
            foreach (var (key, value) in written)
            {
                writer.AddMetadata(key, value);
            }

            writer.AddTensor("a", GgmlType.F32, 3);
            writer.AddTensor("b", GgmlType.Q8_0, 64, 2);
            writer.WriteHeader();
            writer.WriteTensorData(new byte[12]);
            writer.WriteTensorData(new byte[34 * 4]);
            writer.Finish();
        }

        var header = GgufHeaderReader.Read(stream);

        Assert.Equal(3u, header.Version);
        Assert.Equal(64u, header.Alignment);
        Assert.Equal(0, header.DataOffset % 64);
        Assert.Equal(written.Count + 1, header.MetadataEntries.Count); // + general.alignment
        foreach (var (key, value) in written)
        {
            var read = header.Get(key);
            Assert.NotNull(read);
            Assert.Equal(value.Type, read.Type);
            if (value.AsArray() is { } array)
            {
                Assert.Equal(array.ElementType, read.AsArray()!.ElementType);
                Assert.Equal(array.Items.Cast<object>(), read.AsArray()!.Items.Cast<object>());
            }
            else
            {
                Assert.Equal(value.Value, read.Value);
            }
        }

        Assert.Collection(
            header.Tensors,
            a => Assert.Equal(("a", GgmlType.F32, 0UL, 12UL), (a.Name, a.Type, a.Offset, a.ByteSize)),
            b => Assert.Equal(("b", GgmlType.Q8_0, 64UL, 136UL, 128UL), (b.Name, b.Type, b.Offset, b.ByteSize, b.ElementCount)));
        Assert.Equal(header.DataOffset + 64 + 136 + 56, stream.Length); // last tensor padded to 64
    }

    [Fact]
    public void Writer_ChunkPastTheTensorEnd_Refused()
    {
        using var writer = new GgufWriter(new MemoryStream());
        writer.AddTensor("a", GgmlType.F32, 2);
        writer.WriteHeader();

        var error = Assert.Throws<ArgumentException>(() => writer.WriteTensorData(new byte[12]));
        Assert.Contains("runs past the end of tensor 'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_FinishBeforeAllTensorData_Refused()
    {
        using var writer = new GgufWriter(new MemoryStream());
        writer.AddTensor("a", GgmlType.F32, 2);
        writer.AddTensor("b", GgmlType.F32, 2);
        writer.WriteHeader();
        writer.WriteTensorData(new byte[8]);

        var error = Assert.Throws<InvalidOperationException>(writer.Finish);
        Assert.Contains("'b'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writer_RowNotAWholeNumberOfBlocks_Refused()
    {
        using var writer = new GgufWriter(new MemoryStream());

        Assert.Throws<ArgumentException>(() => writer.AddTensor("q", GgmlType.Q8_0, 33, 2));
    }

    [Fact]
    public void TinyModel_ReadBack_HasTheTensorsLlamaCppCreates()
    {
        var header = GgufHeaderReader.Read(new MemoryStream(TinyModelBytes.Copy()));
        var shapes = header.Tensors.ToDictionary(t => t.Name, t => string.Join("x", t.Shape));

        Assert.Equal(21, header.Tensors.Count);
        Assert.Equal("64x354", shapes["token_embd.weight"]);
        Assert.Equal("64x354", shapes["output.weight"]);
        Assert.Equal("64", shapes["output_norm.weight"]);
        Assert.Equal("64x64", shapes["blk.1.attn_q.weight"]);
        Assert.Equal("64x32", shapes["blk.1.attn_k.weight"]);
        Assert.Equal("64x32", shapes["blk.1.attn_v.weight"]);
        Assert.Equal("64x64", shapes["blk.1.attn_output.weight"]);
        Assert.Equal("64x128", shapes["blk.1.ffn_gate.weight"]);
        Assert.Equal("64x128", shapes["blk.1.ffn_up.weight"]);
        Assert.Equal("128x64", shapes["blk.1.ffn_down.weight"]);
        Assert.All(header.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
    }
}
