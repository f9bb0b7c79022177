using System.Text;
using Portal.Inference.Engine;

namespace Portal.Tests.Inference.Engine;

public sealed class TextStreamingTests
{
    [Fact]
    public void Utf8Decoder_CharacterSplitAcrossTokens_ComesOutWhole()
    {
        var decoder = new Utf8TokenDecoder();
        var bytes = Encoding.UTF8.GetBytes("é€😀");

        var pieces = new[] { decoder.Decode(bytes.AsSpan(0, 1)), decoder.Decode(bytes.AsSpan(1, 2)), decoder.Decode(bytes.AsSpan(3, 3)), decoder.Decode(bytes.AsSpan(6)) };

        Assert.Equal(["", "é", "€", "😀"], pieces);
    }

    [Fact]
    public void Utf8Decoder_StreamEndsMidCharacter_FlushGivesReplacement()
    {
        var decoder = new Utf8TokenDecoder();
        decoder.Decode(Encoding.UTF8.GetBytes("€").AsSpan(0, 2));

        Assert.Equal("\uFFFD", decoder.Flush());
    }

    [Fact]
    public void StopMatcher_StopSpreadOverPieces_NeverShown()
    {
        var matcher = new StopSequenceMatcher(["<END>"]);

        var shown = new[] { matcher.Push("Hello <"), matcher.Push("EN"), matcher.Push("D> rest") };

        Assert.Equal(("Hello ", false), shown[0]);
        Assert.Equal(("", false), shown[1]);
        Assert.Equal(("", true), shown[2]);
    }

    [Fact]
    public void StopMatcher_FalseStart_ReleasedLater()
    {
        var matcher = new StopSequenceMatcher(["<END>"]);

        var first = matcher.Push("a <EN");
        var second = matcher.Push("X");

        Assert.Equal(("a ", false), first);
        Assert.Equal(("<ENX", false), second);
        Assert.Equal("", matcher.Flush());
    }
}
