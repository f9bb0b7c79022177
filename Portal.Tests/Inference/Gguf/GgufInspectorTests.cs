using System.Security.Cryptography;
using Portal.Inference.Gguf;

namespace Portal.Tests.Inference.Gguf;

public sealed class GgufInspectorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Inspect_TinyLlama_ExtractsTheModelDescription()
    {
        var path = _dir.File("tiny.gguf");
        TestModels.WriteTinyLlama(path);

        var info = await GgufInspector.InspectAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal("llama", info.Architecture);
        Assert.Equal(TestModels.TinyLlamaName, info.Name);
        Assert.Equal(2, info.LayerCount);
        Assert.Equal(354, info.VocabularySize);
        Assert.Equal(2048, info.ContextLength);
        Assert.Equal(64, info.EmbeddingLength);
        Assert.Equal(4, info.HeadCount);
        Assert.Equal(2, info.HeadCountKv);
        Assert.Equal("F32", info.Quantization);
        Assert.Equal(0u, info.FileType);
        Assert.Equal(21, info.TensorCount);
        Assert.Equal(3u, info.Version);
        Assert.Equal(new FileInfo(path).Length, info.FileSize);
        Assert.Contains("<|im_start|>", info.ChatTemplate, StringComparison.Ordinal);

        // token_embd and output 64x354, output_norm 64; per block two 64 norms, q 64x64, k and v 64x32,
        // o 64x64, gate and up 64x128, down 128x64.
        const ulong perBlock = 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 64 + 3 * 64 * 128;
        Assert.Equal(2 * 64 * 354 + 64 + 2 * perBlock, info.ParameterCount);
        Assert.Equal(119_360UL, info.ParameterCount);
    }

    [Fact]
    public async Task Inspect_TinyLlamaWithoutTemplate_ChatTemplateIsNull()
    {
        var path = _dir.File("tiny.gguf");
        TestModels.WriteTinyLlama(path, includeChatTemplate: false);

        var info = await GgufInspector.InspectAsync(path, TestContext.Current.CancellationToken);

        Assert.Null(info.ChatTemplate);
    }

    [Fact]
    public async Task Inspect_Sha256_MatchesAHashOfTheWholeFile()
    {
        var path = _dir.File("tiny.gguf");
        TestModels.WriteTinyLlama(path);

        var info = await GgufInspector.InspectAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), info.Sha256);
    }

    [Fact]
    public async Task Sha256_SameSeedSameHash_DifferentSeedDifferentHash()
    {
        TestModels.WriteTinyLlama(_dir.File("a.gguf"), seed: 1);
        TestModels.WriteTinyLlama(_dir.File("b.gguf"), seed: 1);
        TestModels.WriteTinyLlama(_dir.File("c.gguf"), seed: 2);
        var ct = TestContext.Current.CancellationToken;

        var a = await GgufFile.ComputeSha256Async(_dir.File("a.gguf"), ct);
        var b = await GgufFile.ComputeSha256Async(_dir.File("b.gguf"), ct);
        var c = await GgufFile.ComputeSha256Async(_dir.File("c.gguf"), ct);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Sha256Hasher_UnevenChunks_SameAsOneShot()
    {
        var bytes = TinyModelBytes.Copy();
        using var hasher = new Sha256Hasher();

        for (var offset = 0; offset < bytes.Length;)
        {
            var length = Math.Min(bytes.Length - offset, 1 + offset % 70_001);
            hasher.Append(bytes.AsSpan(offset, length));
            offset += length;
        }

        Assert.Equal(bytes.Length, hasher.BytesHashed);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), hasher.Finish());
    }

    [Theory]
    [InlineData(GgmlType.Q8_0, "Q8_0")]
    [InlineData(GgmlType.F16, "F16")]
    public void Inspect_SmallBenchmarkModel_NamesItsQuantization(GgmlType weights, string expected)
    {
        var shape = new BenchmarkModelShape { BlockCount = 3, EmbeddingLength = 128, HeadCount = 4, HeadCountKv = 1, FeedForwardLength = 256, VocabularySize = 1000, WeightType = weights };
        var path = _dir.File("bench.gguf");
        TestModels.WriteBenchmarkModel(path, shape);

        using var file = File.OpenRead(path);
        var info = GgufInspector.Inspect(file);

        Assert.Equal(expected, info.Quantization);
        Assert.Equal(3, info.LayerCount);
        Assert.Equal(1000, info.VocabularySize);
        Assert.Null(info.Sha256);
        const ulong perBlock = 128 + 128 * 128 + 2 * 128 * 32 + 128 * 128 + 128 + 3 * 128 * 256;
        Assert.Equal(2 * 128 * 1000 + 128 + 3 * perBlock, info.ParameterCount);
    }

    [Fact]
    public void Quantization_UnknownFileType_FallsBackToTheDominantTensorType()
    {
        var bytes = GgufRewriter.Rewrite(metadata => metadata.Replace("general.file_type", GgufValue.UInt32(999)));

        Assert.Equal("F32", TinyModelBytes.Inspect(bytes).Quantization);
    }

    [Fact]
    public void Quantization_KQuantFileType_UsesLlamaCppName()
    {
        var bytes = GgufRewriter.Rewrite(metadata => metadata.Replace("general.file_type", GgufValue.UInt32((uint)LlamaFileType.MostlyQ4_K_M)));

        Assert.Equal("Q4_K_M", TinyModelBytes.Inspect(bytes).Quantization);
    }
}
