using System.Text;
using Portal.Inference.Engine;

namespace Portal.Web.Endpoints;

/// <summary>
/// Tokens of text for a model whose tokenizer the portal does not have (an endpoint model: the OpenAI
/// protocol has no tokenize call). Conservative on purpose, since it trims the context window and
/// reserves quota before the remote's own count (its <c>usage</c>) settles the answer: UTF-8 bytes / 3,
/// rounded up, where BPE tokenizers average about 4 bytes a token in English and 3 bytes (one
/// character) in Chinese or Japanese; plus <see cref="PerMessage"/> tokens for each message's role and
/// separators, and <see cref="ReplyPriming"/> for the assistant's turn that starts the answer.
/// </summary>
public static class TokenEstimate
{
    public const int BytesPerToken = 3;
    public const int PerMessage = 4;
    public const int ReplyPriming = 3;

    public static int Text(string text) => (Encoding.UTF8.GetByteCount(text) + BytesPerToken - 1) / BytesPerToken;

    public static int Prompt(IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return ReplyPriming + messages.Sum(m => PerMessage + Text(m.Content));
    }
}
