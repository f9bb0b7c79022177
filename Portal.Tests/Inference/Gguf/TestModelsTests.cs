using System.Buffers.Binary;
using System.Security.Cryptography;
using Portal.Inference.Gguf;

namespace Portal.Tests.Inference.Gguf;

public sealed class TestModelsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TinyLlama_SameSeed_ByteIdenticalFile()
    {
        TestModels.WriteTinyLlama(_dir.File("a.gguf"), seed: 42);
        TestModels.WriteTinyLlama(_dir.File("b.gguf"), seed: 42);

        Assert.Equal(Sha256(_dir.File("a.gguf")), Sha256(_dir.File("b.gguf")));
    }

    [Fact]
    public void TinyLlama_DifferentSeed_DifferentFile()
    {
        TestModels.WriteTinyLlama(_dir.File("a.gguf"), seed: 42);
        TestModels.WriteTinyLlama(_dir.File("b.gguf"), seed: 43);

        Assert.NotEqual(Sha256(_dir.File("a.gguf")), Sha256(_dir.File("b.gguf")));
    }

    [Fact]
    public void TinyLlama_HeaderAndSize_MatchTheDeclaredTensors()
    {
        var path = _dir.File("tiny.gguf");
        TestModels.WriteTinyLlama(path);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal("GGUF"u8.ToArray(), bytes[..4]);
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        // token_embd, output_norm, output + 9 per block for 2 blocks.
        Assert.Equal(3UL + 9 * 2, BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8)));

        // 119,360 F32 parameters (see the shape), each tensor padded to 32 bytes, after a header.
        const long dataBytes = 119_360L * 4;
        Assert.InRange(bytes.LongLength, dataBytes, dataBytes + 64 * 1024);
        Assert.Equal(0, bytes.LongLength % 32);
    }

    [Fact]
    public void BenchmarkModel_SmallShapeInQ8_0_ScalesAreFiniteAndSmall()
    {
        var shape = new BenchmarkModelShape { BlockCount = 1, EmbeddingLength = 64, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 128, VocabularySize = 1000 };
        var path = _dir.File("bench.gguf");
        TestModels.WriteBenchmarkModel(path, shape);

        var bytes = File.ReadAllBytes(path);
        // The last tensor (ffn_down, 128 x 64 in Q8_0) ends the file: 4 blocks per row, 64 rows, 34 bytes a block.
        const int blocks = 128 / 32 * 64;
        var data = bytes.AsSpan(bytes.Length - blocks * 34);
        for (var b = 0; b < blocks; b++)
        {
            var scale = (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(data[(b * 34)..]));
            Assert.InRange(scale, 0.0004f, 0.003f);
        }
    }

    [Fact]
    public void BenchmarkModel_SmallShapeInF16_WeightsAreFiniteAndSmall()
    {
        var shape = new BenchmarkModelShape { BlockCount = 1, EmbeddingLength = 64, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 128, VocabularySize = 1000, WeightType = GgmlType.F16 };
        var path = _dir.File("bench16.gguf");
        TestModels.WriteBenchmarkModel(path, shape);

        var bytes = File.ReadAllBytes(path);
        // The last tensor (ffn_down, 128 x 64 in F16) ends the file.
        var data = bytes.AsSpan(bytes.Length - 128 * 64 * 2);
        for (var i = 0; i < 128 * 64; i++)
        {
            var magnitude = Math.Abs((float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..])));
            Assert.InRange(magnitude, 0.015f, 0.25f);
        }
    }

    [Fact]
    public void BenchmarkModel_DefaultsToARealSmallModelShape()
    {
        var shape = new BenchmarkModelShape();

        Assert.Equal((24, 896, 14, 2, 4864, 32000, GgmlType.Q8_0), (shape.BlockCount, shape.EmbeddingLength, shape.HeadCount, shape.HeadCountKv, shape.FeedForwardLength, shape.VocabularySize, shape.WeightType));
        shape.Validate();
    }

    [Fact]
    public void Vocabulary_LargestSize_HasUniqueTokens()
    {
        var (tokens, scores, types) = TestVocabulary.Build(TestVocabulary.MaxTokenCount);

        Assert.Equal(tokens.Length, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(tokens.Length, scores.Length);
        Assert.Equal(tokens.Length, types.Length);
        Assert.Equal("<0x41>", tokens[3 + 0x41]);
        Assert.Equal("\u2581", tokens[3 + 256]);
    }

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
