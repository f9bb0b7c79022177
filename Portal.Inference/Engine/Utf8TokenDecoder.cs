using System.Text;

namespace Portal.Inference.Engine;

/// <summary>
/// Turns the bytes of successive token pieces into text; a character whose UTF-8 bytes span two
/// tokens comes out whole once its last byte arrives.
/// </summary>
internal sealed class Utf8TokenDecoder
{
    private readonly Decoder decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
    private char[] chars = new char[64];

    public string Decode(ReadOnlySpan<byte> bytes) => Convert(bytes, flush: false);

    /// <summary>Ends the stream: an unfinished character becomes U+FFFD.</summary>
    public string Flush() => Convert([], flush: true);

    private string Convert(ReadOnlySpan<byte> bytes, bool flush)
    {
        var needed = decoder.GetCharCount(bytes, flush);
        if (needed > chars.Length)
        {
            chars = new char[Math.Max(needed, chars.Length * 2)];
        }

        var written = decoder.GetChars(bytes, chars, flush);
        return written == 0 ? string.Empty : new string(chars, 0, written);
    }
}
