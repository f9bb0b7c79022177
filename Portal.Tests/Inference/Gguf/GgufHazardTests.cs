using Portal.Inference.Gguf;
using static Portal.Tests.Inference.Gguf.TinyModelBytes;

namespace Portal.Tests.Inference.Gguf;

/// <summary>
/// One regression test per parser hazard listed in NATIVE.md: each hostile file is the valid tiny
/// model with a field patched in place, and each must be refused with its own code and a message
/// that names the problem.
/// </summary>
public sealed class GgufHazardTests
{
    [Fact]
    public void ValidTinyModel_Accepted()
    {
        var info = Inspect(Copy());

        Assert.Equal("llama", info.Architecture);
    }

    [Fact]
    public void OnlyTheMagic_RejectedAsTooSmall()
    {
        var error = Refused("GGUF"u8.ToArray(), GgufError.FileTooSmall);

        Assert.Contains("4 bytes, shorter than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyFile_RejectedAsTooSmall() => Refused([], GgufError.FileTooSmall);

    [Fact]
    public void StringLengthFarBeyondFileSize_RejectedBeforeAllocating()
    {
        var file = Copy();
        WriteUInt64(file, FirstKeyLengthOffset, 1UL << 40);

        var error = Refused(file, GgufError.StringLengthBeyondFile);

        Assert.Contains("1099511627776 bytes, more than the", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StringValueLengthBeyondFile_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, ValueOffset(file, "general.name"), ulong.MaxValue);

        var error = Refused(file, GgufError.StringLengthBeyondFile);

        Assert.Contains("'general.name'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroLengthKey_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, FirstKeyLengthOffset, 0);

        var error = Refused(file, GgufError.EmptyKey);

        Assert.Contains("empty string", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0x8000_0000u)]
    [InlineData(48u)]
    public void BadAlignment_Rejected(uint alignment)
    {
        var file = Copy();
        WriteUInt32(file, ValueOffset(file, GgufWriter.AlignmentKey), alignment);

        var error = Refused(file, GgufError.InvalidAlignment);

        Assert.Contains($"'general.alignment' is {alignment}; it must be a power of two", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TensorOffsetPastEndOfFile_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, TensorDataOffsetField(file, "output.weight"), (ulong)file.Length * 4 / 32 * 32);

        var error = Refused(file, GgufError.TensorOffsetBeyondFile);

        Assert.Contains("Tensor 'output.weight' starts at data offset", error.Message, StringComparison.Ordinal);
        Assert.Contains("past the end of the file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TensorSizePastEndOfFile_Rejected()
    {
        // The last tensor in the data section grows from 128x64 to 128x6400 elements.
        var file = Copy();
        var dims = TensorInfoOffset(file, "blk.1.ffn_down.weight") + 4;
        WriteUInt64(file, dims + 8, 6400);

        var error = Refused(file, GgufError.TensorDataBeyondFile);

        Assert.Contains("Tensor 'blk.1.ffn_down.weight' needs 3276800 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DimensionProductOverflows64Bits_Rejected()
    {
        var file = Copy();
        var dims = TensorInfoOffset(file, "blk.0.attn_q.weight") + 4;
        WriteUInt64(file, dims, 1UL << 40);
        WriteUInt64(file, dims + 8, 1UL << 40);

        var error = Refused(file, GgufError.ElementCountOverflow);

        Assert.Contains("'blk.0.attn_q.weight'", error.Message, StringComparison.Ordinal);
        Assert.Contains("overflows 64 bits", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100_000u)]
    [InlineData(4096u)]
    [InlineData(513u)]
    [InlineData(uint.MaxValue)]
    public void BlockCountInTheThousandsOrMore_Rejected(uint blocks)
    {
        var file = Copy();
        WriteUInt32(file, ValueOffset(file, "llama.block_count"), blocks);

        var error = Refused(file, GgufError.BlockCountOutOfRange);

        Assert.Contains($"'llama.block_count' is {blocks}; it must be from 1 to 512", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tokenizer.ggml.bos_token_id", 354u)]
    [InlineData("tokenizer.ggml.eos_token_id", 100_000u)]
    [InlineData("tokenizer.ggml.unknown_token_id", 0x8000_0000u)]
    public void SpecialTokenIdOutsideTheVocabulary_Rejected(string key, uint id)
    {
        var file = Copy();
        WriteUInt32(file, ValueOffset(file, key), id);

        var error = Refused(file, GgufError.TokenIdOutOfRange);

        Assert.Contains($"'{key}' is {id}, outside the vocabulary of 354 tokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VocabularyCountBeyondTheFile_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, ValueOffset(file, GgufValidator.TokensKey) + 4, 3_000_000_000);

        var error = Refused(file, GgufError.ArrayTooLarge);

        Assert.Contains("'tokenizer.ggml.tokens' declares 3000000000 elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MetadataCountInTheBillions_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, 16, 3_000_000_000);

        var error = Refused(file, GgufError.MetadataCountTooLarge);

        Assert.Contains("declares 3000000000 metadata entries", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TensorCountInTheBillions_Rejected()
    {
        var file = Copy();
        WriteUInt64(file, 8, 3_000_000_000);

        var error = Refused(file, GgufError.TensorCountTooLarge);

        Assert.Contains("declares 3000000000 tensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongMagic_Rejected()
    {
        var file = Copy();
        "GGML"u8.CopyTo(file);

        var error = Refused(file, GgufError.BadMagic);

        Assert.Contains("magic", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0x0300_0000u)]
    public void UnsupportedVersion_Rejected(uint version)
    {
        var file = Copy();
        WriteUInt32(file, 4, version);

        var error = Refused(file, GgufError.UnsupportedVersion);

        Assert.Contains($"GGUF version {version} is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedInsideTheMetadata_Rejected()
    {
        var file = Copy();
        var cut = file.AsSpan(0, ValueOffset(file, "llama.block_count") + 2).ToArray();

        var error = Refused(cut, GgufError.Truncated);

        Assert.Contains("the file is truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedInsideTheTensorInfos_Rejected()
    {
        var file = Copy();
        var cut = file.AsSpan(0, TensorDataOffsetField(file, "blk.1.ffn_down.weight") + 3).ToArray();

        var error = Refused(cut, GgufError.Truncated);

        Assert.Contains("while reading the offset of 'blk.1.ffn_down.weight'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedInsideTheTensorData_Rejected()
    {
        var file = Copy();
        var cut = file.AsSpan(0, file.Length / 2).ToArray();

        var error = Assert.Throws<GgufValidationException>(() => Inspect(cut));

        Assert.True(error.Code is GgufError.TensorOffsetBeyondFile or GgufError.TensorDataBeyondFile, error.Code.ToString());
        Assert.Contains("past the end of the file", error.Message, StringComparison.Ordinal);
    }

    private static GgufValidationException Refused(byte[] file, GgufError expected)
    {
        var error = Assert.Throws<GgufValidationException>(() => Inspect(file));
        Assert.Equal(expected, error.Code);
        return error;
    }
}
