using Portal.Inference.Gguf;
using Portal.Tests.Inference.Gguf;

namespace Portal.Tests.Inference.Engine;

/// <summary>
/// The tiny model with all-zero weights: every logit is 0, so greedy sampling always picks token 0.
/// Token 0 is made whatever a test needs (a hostile piece, a lone UTF-8 lead byte); <c>&lt;unk&gt;</c>
/// takes the place it came from.
/// </summary>
internal static class ConstantAnswerModel
{
    /// <summary>Token 0 answers with <paramref name="text"/>, replacing the printable '~'.</summary>
    public static void WriteWithText(string path, string text) => Write(path, from: TildeIndex, newText: text);

    /// <summary>Token 0 is the byte token of <paramref name="value"/>.</summary>
    public static void WriteWithByte(string path, byte value) => Write(path, from: 3 + value, newText: null);

    private const int TildeIndex = TestVocabulary.BaseTokenCount - 1;

    private static void Write(string path, int from, string? newText)
    {
        var bytes = GgufRewriter.Rewrite(editMetadata: metadata =>
        {
            var tokens = (string[])metadata.Single(e => e.Key == "tokenizer.ggml.tokens").Value.AsArray()!.Items.Clone();
            var types = (int[])metadata.Single(e => e.Key == "tokenizer.ggml.token_type").Value.AsArray()!.Items.Clone();
            var scores = (float[])metadata.Single(e => e.Key == "tokenizer.ggml.scores").Value.AsArray()!.Items.Clone();
            if (newText is not null)
            {
                tokens[from] = newText;
            }

            (tokens[0], tokens[from]) = (tokens[from], tokens[0]);
            (types[0], types[from]) = (types[from], types[0]);
            (scores[0], scores[from]) = (scores[from], scores[0]);
            metadata.Replace("tokenizer.ggml.tokens", GgufValue.StringArray(tokens));
            metadata.Replace("tokenizer.ggml.token_type", GgufValue.Int32Array(types));
            metadata.Replace("tokenizer.ggml.scores", GgufValue.Float32Array(scores));
            metadata.Replace("tokenizer.ggml.unknown_token_id", GgufValue.UInt32((uint)from));
        });
        File.WriteAllBytes(path, bytes);
    }
}
