using System.Runtime.InteropServices;
using System.Text;
using Portal.Inference.Native;

namespace Portal.Inference.Engine;

/// <summary>Tokenizing, detokenizing and chat formatting through the model's vocabulary.</summary>
internal static unsafe class LlamaText
{
    /// <summary>The built-in template used when a GGUF file carries none, or one llama.cpp cannot apply.</summary>
    public const string FallbackTemplate = "chatml";

    public static int[] Tokenize(nint vocab, string text, bool addSpecial, bool parseSpecial)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new int[bytes.Length + 2];
        fixed (byte* textPointer = bytes)
        {
            while (true)
            {
                int count;
                fixed (int* tokenPointer = tokens)
                {
                    count = LlamaNative.llama_tokenize(vocab, textPointer, bytes.Length, tokenPointer, tokens.Length, addSpecial, parseSpecial);
                }

                if (count >= 0)
                {
                    return tokens[..count];
                }

                if (count == int.MinValue)
                {
                    throw new InferenceException("The text is too long to tokenize.");
                }

                tokens = new int[-count];
            }
        }
    }

    /// <summary>
    /// Writes one token's text (possibly part of a UTF-8 character) into <paramref name="buffer"/>,
    /// growing it when the piece is longer (hostile vocabularies have such tokens); returns its length.
    /// </summary>
    public static int TokenToPiece(nint vocab, int token, ref byte[] buffer)
    {
        while (true)
        {
            int length;
            fixed (byte* pointer = buffer)
            {
                length = LlamaNative.llama_token_to_piece(vocab, token, pointer, buffer.Length, 0, false);
            }

            if (length >= 0)
            {
                return length;
            }

            if (length == int.MinValue || -length <= buffer.Length)
            {
                throw new InferenceException($"llama.cpp could not give the text of token {token} ({length}).");
            }

            buffer = new byte[-length];
        }
    }

    /// <summary>The model's own chat template, or null when the file has none.</summary>
    public static string? ModelTemplate(SafeLlamaModelHandle model) =>
        Marshal.PtrToStringUTF8(LlamaNative.llama_model_chat_template(model.DangerousGetHandle(), null));

    /// <summary>Applies <paramref name="template"/>; null when llama.cpp does not know that template.</summary>
    public static string? ApplyTemplate(string template, IReadOnlyList<ChatMessage> messages)
    {
        var natives = new List<nint>(messages.Count * 2 + 1);
        try
        {
            var templatePointer = Utf8(template, natives);
            var chat = new LlamaChatMessage[messages.Count];
            var total = 0;
            for (var i = 0; i < messages.Count; i++)
            {
                chat[i].role = (byte*)Utf8(messages[i].Role, natives);
                chat[i].content = (byte*)Utf8(messages[i].Content, natives);
                total += messages[i].Role.Length + messages[i].Content.Length;
            }

            var buffer = new byte[Math.Max(256, total * 2 + 64)];
            while (true)
            {
                int length;
                fixed (LlamaChatMessage* chatPointer = chat)
                fixed (byte* bufferPointer = buffer)
                {
                    length = LlamaNative.llama_chat_apply_template(
                        (byte*)templatePointer, chatPointer, (nuint)chat.Length, true, bufferPointer, buffer.Length);
                }

                if (length < 0)
                {
                    return null;
                }

                if (length <= buffer.Length)
                {
                    return Encoding.UTF8.GetString(buffer, 0, length);
                }

                buffer = new byte[length];
            }
        }
        finally
        {
            natives.ForEach(Marshal.FreeCoTaskMem);
        }
    }

    private static nint Utf8(string text, List<nint> owned)
    {
        var pointer = Marshal.StringToCoTaskMemUTF8(text);
        owned.Add(pointer);
        return pointer;
    }
}
