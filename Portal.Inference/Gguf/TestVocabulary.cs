using System.Globalization;

namespace Portal.Inference.Gguf;

/// <summary>
/// A SentencePiece ("llama") vocabulary for generated models: <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>,
/// <c>&lt;/s&gt;</c>, the 256 byte tokens <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>, the printable ASCII
/// characters (space written as U+2581), then made-up merged pieces ("ab", "▁ab", "abc", ...) up to
/// the requested size.
/// </summary>
public static class TestVocabulary
{
    public const int UnknownId = 0;
    public const int BosId = 1;
    public const int EosId = 2;

    /// <summary>Specials, byte tokens and printable ASCII: the smallest vocabulary generated.</summary>
    public const int BaseTokenCount = 3 + 256 + 95;

    /// <summary>The base tokens plus every two- and three-letter piece with and without the word prefix.</summary>
    public const int MaxTokenCount = BaseTokenCount + 2 * (26 * 26 + 26 * 26 * 26);

    /// <summary>SentencePiece marks a word start (a space) with U+2581.</summary>
    public const string SpaceMarker = "\u2581";

    /// <summary>token_type values of llama.cpp's <c>llama_token_attr</c> file encoding.</summary>
    public const int NormalType = 1;
    public const int UnknownType = 2;
    public const int ControlType = 3;
    public const int ByteType = 6;

    public static (string[] Tokens, float[] Scores, int[] Types) Build(int size)
    {
        if (size is < BaseTokenCount or > MaxTokenCount)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"Vocabulary size must be within {BaseTokenCount}..{MaxTokenCount}.");
        }

        var tokens = new string[size];
        var scores = new float[size];
        var types = new int[size];
        var i = 0;

        void Add(string token, int type, float score)
        {
            tokens[i] = token;
            types[i] = type;
            scores[i] = score;
            i++;
        }

        Add("<unk>", UnknownType, 0f);
        Add("<s>", ControlType, 0f);
        Add("</s>", ControlType, 0f);
        for (var b = 0; b < 256; b++)
        {
            Add($"<0x{b.ToString("X2", CultureInfo.InvariantCulture)}>", ByteType, 0f);
        }

        // Scores fall with the index so SentencePiece prefers earlier (longer-lived) pieces.
        for (var c = 0x20; c <= 0x7E; c++)
        {
            Add(c == ' ' ? SpaceMarker : ((char)c).ToString(), NormalType, -i);
        }

        foreach (var piece in MergedPieces())
        {
            if (i == size)
            {
                break;
            }

            Add(piece, NormalType, -i);
        }

        return (tokens, scores, types);
    }

    private static IEnumerable<string> MergedPieces()
    {
        for (var length = 2; length <= 3; length++)
        {
            var letters = new char[length];
            var combinations = (int)Math.Pow(26, length);
            for (var n = 0; n < combinations; n++)
            {
                var rest = n;
                for (var p = length - 1; p >= 0; p--)
                {
                    letters[p] = (char)('a' + rest % 26);
                    rest /= 26;
                }

                var word = new string(letters);
                yield return SpaceMarker + word;
                yield return word;
            }
        }
    }
}
