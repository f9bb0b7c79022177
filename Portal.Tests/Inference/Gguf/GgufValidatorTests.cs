using Portal.Inference.Gguf;
using static Portal.Tests.Inference.Gguf.TinyModelBytes;

namespace Portal.Tests.Inference.Gguf;

/// <summary>The checks beyond NATIVE.md's list: each malformed field gets its own code and a message naming it.</summary>
public sealed class GgufValidatorTests
{
    [Fact]
    public void DuplicateKey_Rejected()
    {
        var file = Copy();
        file[ValueOffset(file, "tokenizer.ggml.eos_token_id") - 4 - "eos_token_id".Length] = (byte)'b';

        var error = Refused(file, GgufError.DuplicateKey);

        Assert.Contains("'tokenizer.ggml.bos_token_id' appears twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidUtf8InAString_Rejected()
    {
        var file = Copy();
        file[ValueOffset(file, "general.name") + 8] = 0xFF;

        var error = Refused(file, GgufError.InvalidUtf8);

        Assert.Contains("value of 'general.name' is not valid UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownValueType_Rejected()
    {
        var file = Copy();
        WriteUInt32(file, ValueOffset(file, "general.name") - 4, 13);

        var error = Refused(file, GgufError.UnknownValueType);

        Assert.Contains("'general.name' has unknown value type 13", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArrayOfArrays_Rejected()
    {
        var file = Copy();
        WriteUInt32(file, ValueOffset(file, GgufValidator.TokensKey), (uint)GgufValueType.Array);

        var error = Refused(file, GgufError.NestedArray);

        Assert.Contains("'tokenizer.ggml.tokens' is an array of arrays", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArrayCountBeyondTheFile_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, ValueOffset(file, GgufValidator.ScoresKey) + 4, 3_000_000);

        var error = Refused(file, GgufError.ArrayLengthBeyondFile);

        Assert.Contains("'tokenizer.ggml.scores' declares 3000000 elements, more than the", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StringLongerThanTheCap_Rejected()
    {
        var file = GgufRewriter.Rewrite(m => m.Add(new("general.description", GgufValue.String(new string('a', (int)GgufLimits.MaxStringBytes + 1)))));

        var error = Refused(file, GgufError.StringTooLong);

        Assert.Contains("value of 'general.description' declares a string of 16777217 bytes; at most 16777216", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HeaderLongerThanTheCap_RejectedBeforeReadingIt()
    {
        var limits = new GgufReadLimits { MaxHeaderBytes = 4096 };

        var error = Assert.Throws<GgufValidationException>(() => GgufHeaderReader.Read(new MemoryStream(Copy()), limits));

        Assert.Equal(GgufError.HeaderTooLarge, error.Code);
        Assert.Contains("'tokenizer.ggml.tokens' would take the header past 4096 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArraysTogetherLargerThanTheCap_Rejected()
    {
        // tokens (354) + scores (354) pass a cap of 1000; token_type brings the total to 1062.
        var limits = new GgufReadLimits { MaxTotalArrayElements = 1000 };

        var error = Assert.Throws<GgufValidationException>(() => GgufHeaderReader.Read(new MemoryStream(Copy()), limits));

        Assert.Equal(GgufError.ArrayTooLarge, error.Code);
        Assert.Contains("'tokenizer.ggml.token_type' brings the metadata arrays to 1062 elements in total", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyTensorName_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, TensorInfoOffset(file, "output_norm.weight") - "output_norm.weight".Length - 8, 0);

        var error = Refused(file, GgufError.InvalidTensorName);

        Assert.Contains("name of 0 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateTensorName_Rejected()
    {
        var file = Copy();
        file[TensorInfoOffset(file, "blk.0.attn_k.weight") - ".weight".Length - 1] = (byte)'v';

        var error = Refused(file, GgufError.DuplicateTensorName);

        Assert.Contains("'blk.0.attn_v.weight' appears twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(5u)]
    [InlineData(uint.MaxValue)]
    public void DimensionCountOutsideOneToFour_Rejected(uint dimensions)
    {
        var file = Copy();
        WriteUInt32(file, TensorInfoOffset(file, "output_norm.weight"), dimensions);

        var error = Refused(file, GgufError.InvalidDimensionCount);

        Assert.Contains($"'output_norm.weight' has {dimensions} dimensions", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(ulong.MaxValue)]
    public void DimensionZeroOrAboveInt64_Rejected(ulong dimension)
    {
        var file = Copy();
        WriteUInt64(file, TensorInfoOffset(file, "output_norm.weight") + 4, dimension);

        var error = Refused(file, GgufError.InvalidDimension);

        Assert.Contains($"'output_norm.weight' has dimension 0 of {dimension}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4u)]
    [InlineData(43u)]
    [InlineData(1000u)]
    public void UnknownTensorType_Rejected(uint type)
    {
        var file = Copy();
        WriteUInt32(file, TensorDataOffsetField(file, "output.weight") - 4, type);

        var error = Refused(file, GgufError.UnknownTensorType);

        Assert.Contains($"'output.weight' has unknown ggml type {type}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RowNotAWholeNumberOfBlocks_Rejected()
    {
        var file = Copy();
        WriteUInt32(file, TensorDataOffsetField(file, "output.weight") - 4, (uint)GgmlType.Q4_K);

        var error = Refused(file, GgufError.RowNotBlockAligned);

        Assert.Contains("rows of 64 elements, not a multiple of the 256-element blocks of Q4_K", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MisalignedTensorOffset_Rejected()
    {
        var file = Copy();
        var field = TensorDataOffsetField(file, "output.weight");
        WriteUInt64(file, field, ReadUInt64(file, field) + 4);

        var error = Refused(file, GgufError.TensorOffsetMisaligned);

        Assert.Contains("not a multiple of the alignment 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlappingTensors_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, TensorDataOffsetField(file, "output.weight"), 0);

        var error = Refused(file, GgufError.TensorsOverlap);

        Assert.Contains("overlap", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GgufValidator.ArchitectureKey)]
    [InlineData("llama.context_length")]
    [InlineData("llama.attention.layer_norm_rms_epsilon")]
    [InlineData("tokenizer.ggml.model")]
    public void RequiredKeyMissing_Rejected(string key)
    {
        var file = GgufRewriter.Rewrite(m => m.Remove(key));

        var error = Refused(file, GgufError.MissingKey);

        Assert.Contains($"'{key}' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ArchitectureNotAString_Rejected()
    {
        var file = GgufRewriter.Rewrite(m => m.Replace(GgufValidator.ArchitectureKey, GgufValue.UInt32(1)));

        var error = Refused(file, GgufError.WrongKeyType);

        Assert.Contains("'general.architecture' is of type UInt32; it must be a string", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddingLengthNotAnInteger_Rejected()
    {
        var file = GgufRewriter.Rewrite(m => m.Replace("llama.embedding_length", GgufValue.String("64")));

        var error = Refused(file, GgufError.WrongKeyType);

        Assert.Contains("'llama.embedding_length' is of type String; it must be an integer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u, "tensors exist for block 1")]
    [InlineData(3u, "no tensors exist for block 2")]
    public void BlockCountDisagreesWithTheTensors_Rejected(uint blocks, string expected)
    {
        var file = Copy();
        WriteUInt32(file, ValueOffset(file, "llama.block_count"), blocks);

        var error = Refused(file, GgufError.BlockCountMismatch);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("llama.attention.head_count", 0u, "'llama.attention.head_count' is 0; it must be above zero")]
    [InlineData("llama.attention.head_count", 3u, "not a multiple of 'llama.attention.head_count' 3")]
    [InlineData("llama.attention.head_count_kv", 0u, "'llama.attention.head_count_kv' is 0")]
    [InlineData("llama.attention.head_count_kv", 3u, "'llama.attention.head_count_kv' is 3")]
    [InlineData("llama.context_length", 0u, "'llama.context_length' is 0")]
    [InlineData("llama.context_length", 0x8000_0000u, "'llama.context_length' is 2147483648; at most 16777216")]
    public void ImpossibleHyperParameter_Rejected(string key, uint value, string expected)
    {
        var file = Copy();
        WriteUInt32(file, ValueOffset(file, key), value);

        var error = Refused(file, GgufError.InvalidHyperParameter);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyVocabulary_Rejected()
    {
        var file = GgufRewriter.Rewrite(m => m.Replace(GgufValidator.TokensKey, GgufValue.StringArray([])));

        var error = Refused(file, GgufError.VocabularyEmpty);

        Assert.Contains("'tokenizer.ggml.tokens' holds no tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScoresShorterThanTokens_Rejected()
    {
        var file = GgufRewriter.Rewrite(m => m.Replace(GgufValidator.ScoresKey, GgufValue.Float32Array(new float[353])));

        var error = Refused(file, GgufError.VocabularyLengthMismatch);

        Assert.Contains("'tokenizer.ggml.scores' has 353 entries but the vocabulary has 354 tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TokenTypesLongerThanTokens_Rejected()
    {
        var file = GgufRewriter.Rewrite(m => m.Replace(GgufValidator.TokenTypesKey, GgufValue.Int32Array(new int[400])));

        var error = Refused(file, GgufError.VocabularyLengthMismatch);

        Assert.Contains("'tokenizer.ggml.token_type' has 400 entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RepeatedTokenText_Rejected()
    {
        var file = GgufRewriter.Rewrite(m =>
        {
            var tokens = (string[])m.Find(e => e.Key == GgufValidator.TokensKey).Value.AsArray()!.Items.Clone();
            tokens[301] = tokens[300];
            m.Replace(GgufValidator.TokensKey, GgufValue.StringArray(tokens));
        });

        var error = Refused(file, GgufError.DuplicateToken);

        Assert.Contains("Tokens 300 and 301 of 'tokenizer.ggml.tokens' are both", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpecialTokenIdMinusOne_MeansNoneAndIsAccepted()
    {
        var file = GgufRewriter.Rewrite(m => m.Add(new("tokenizer.ggml.padding_token_id", GgufValue.Int32(-1))));

        Assert.Equal("llama", Inspect(file).Architecture);
    }

    [Fact]
    public void RequiredTensorMissing_Rejected()
    {
        var file = GgufRewriter.Rewrite(editTensors: t => t.RemoveAll(x => x.Name == "output_norm.weight"));

        var error = Refused(file, GgufError.MissingTensor);

        Assert.Contains("'output_norm.weight' is missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddingShapeDisagreesWithTheVocabulary_Rejected()
    {
        var file = GgufRewriter.Rewrite(editTensors: t =>
        {
            var i = t.FindIndex(x => x.Name == "token_embd.weight");
            t[i] = t[i] with { Shape = [64, 300] };
        });

        var error = Refused(file, GgufError.TensorShapeMismatch);

        Assert.Contains("'token_embd.weight' has shape [64, 300]; the metadata implies [64, 354]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownArchitecture_ValidatedGenericallyAndReported()
    {
        var file = GgufRewriter.Rewrite(m =>
        {
            for (var i = 0; i < m.Count; i++)
            {
                if (m[i].Key.StartsWith("llama.", StringComparison.Ordinal))
                {
                    m[i] = new("mystery." + m[i].Key["llama.".Length..], m[i].Value);
                }
            }

            m.Replace(GgufValidator.ArchitectureKey, GgufValue.String("mystery"));
        });

        var info = Inspect(file);

        Assert.Equal("mystery", info.Architecture);
        Assert.Equal(2, info.LayerCount);
        Assert.Equal(2048, info.ContextLength);
    }

    [Fact]
    public void UnknownArchitectureWithHugeBlockCount_StillRejected()
    {
        var file = GgufRewriter.Rewrite(m =>
        {
            m.Replace(GgufValidator.ArchitectureKey, GgufValue.String("mystery"));
            m.Add(new("mystery.block_count", GgufValue.UInt64(100_000)));
        });

        var error = Refused(file, GgufError.BlockCountOutOfRange);

        Assert.Contains("'mystery.block_count' is 100000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotSeekableStream_RefusedWithReason()
    {
        var error = Assert.Throws<ArgumentException>(() => GgufHeaderReader.Read(new NonSeekableStream(Copy())));

        Assert.Contains("seekable", error.Message, StringComparison.Ordinal);
    }

    private static ulong ReadUInt64(byte[] file, int offset) => BitConverter.ToUInt64(file, offset);

    private static GgufValidationException Refused(byte[] file, GgufError expected)
    {
        var error = Assert.Throws<GgufValidationException>(() => Inspect(file));
        Assert.Equal(expected, error.Code);
        return error;
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
