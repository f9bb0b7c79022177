using Portal.Inference.Gguf;
using static Portal.Tests.Inference.Gguf.TinyModelBytes;

namespace Portal.Tests.Inference.Gguf;

/// <summary>Hyper-parameters llama.cpp GGML_ASSERTs (aborting the process) are refused with a message instead.</summary>
public sealed class LlamaCppAssertionsTests
{
    [Theory]
    [InlineData("llama.expert_count=2000", "'llama.expert_count' is 2000; it must be from 0 to 1024")]
    [InlineData("llama.expert_count=8;llama.expert_used_count=9", "'llama.expert_used_count' is 9; with 8 experts")]
    [InlineData("llama.expert_count=8", "'llama.expert_used_count' is 0; with 8 experts")]
    [InlineData("llama.expert_used_count=2", "'llama.expert_count' is 0 but expert_used_count is 2")]
    [InlineData("llama.expert_count=8;llama.expert_used_count=2;llama.expert_group_count=8", "'llama.expert_group_count' is 8; it must be below the expert count 8")]
    [InlineData("llama.expert_count=8;llama.expert_used_count=2;llama.expert_group_count=3;llama.expert_group_used_count=1", "'llama.expert_group_count' 3 must divide the expert count 8")]
    [InlineData("llama.expert_count=8;llama.expert_used_count=2;llama.expert_group_count=4", "expert_group_used_count (0) must be from 1 to 3")]
    [InlineData("llama.attention.value_length=32", "'llama.attention.key_length' 16 differs from 'llama.attention.value_length' 32")]
    [InlineData("llama.nextn_predict_layers=3", "'llama.nextn_predict_layers' is 3; it must be from 0 to the block count 2")]
    public void ExpertAndLayerCountsLlamaCppAsserts_Rejected(string settings, string expected)
    {
        var file = GgufRewriter.Rewrite(m => m.AddRange(Parse(settings)));

        var error = Assert.Throws<GgufValidationException>(() => Inspect(file));

        Assert.Equal(GgufError.InvalidHyperParameter, error.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConsistentExpertSettings_Accepted()
    {
        var file = GgufRewriter.Rewrite(m => m.AddRange(Parse("llama.expert_count=8;llama.expert_used_count=2;llama.expert_group_count=4;llama.expert_group_used_count=2")));

        Assert.Equal("llama", Inspect(file).Architecture);
    }

    [Fact]
    public void UnknownRopeScalingType_Rejected()
    {
        var file = GgufRewriter.Rewrite(m => m.Add(new("llama.rope.scaling.type", GgufValue.String("cubic"))));

        var error = Assert.Throws<GgufValidationException>(() => Inspect(file));

        Assert.Equal(GgufError.InvalidHyperParameter, error.Code);
        Assert.Contains("'llama.rope.scaling.type' is 'cubic'; llama.cpp knows only none, linear, yarn, longrope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KnownRopeScalingType_Accepted()
    {
        var file = GgufRewriter.Rewrite(m => m.Add(new("llama.rope.scaling.type", GgufValue.String("yarn"))));

        Assert.Equal("llama", Inspect(file).Architecture);
    }

    private static IEnumerable<KeyValuePair<string, GgufValue>> Parse(string settings) =>
        settings.Split(';').Select(pair => pair.Split('=')).Select(kv => new KeyValuePair<string, GgufValue>(kv[0], GgufValue.UInt32(uint.Parse(kv[1], System.Globalization.CultureInfo.InvariantCulture))));
}
