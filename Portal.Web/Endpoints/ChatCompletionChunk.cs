using System.Text.Json;

namespace Portal.Web.Endpoints;

/// <summary>
/// What one event of an OpenAI <c>chat.completion.chunk</c> stream says: text of the answer, the reason
/// it ended, the remote's token counts (<c>usage</c>, sent when asked with <c>stream_options.include_usage</c>),
/// or an error the engine reports inside the stream (vLLM and TGI do so).
/// </summary>
public sealed record ChatCompletionChunk(string? Content, string? FinishReason, int? PromptTokens, int? CompletionTokens, string? Error)
{
    /// <summary>Reads one event's data; throws <see cref="JsonException"/> for data that is not such a chunk.</summary>
    public static ChatCompletionChunk Parse(string data)
    {
        using var json = JsonDocument.Parse(data);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("A chunk is a JSON object.");
        }

        if (root.TryGetProperty("error", out var error))
        {
            return new ChatCompletionChunk(null, null, null, null, ErrorMessage(error));
        }

        if (root.TryGetProperty("object", out var kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() == "error")
        {
            return new ChatCompletionChunk(null, null, null, null, String(root, "message") ?? "the engine reported an error");
        }

        string? content = null, finish = null;
        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            var choice = choices[0];
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                content = String(delta, "content");
            }

            finish = String(choice, "finish_reason");
        }

        int? prompt = null, completion = null;
        if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            prompt = Int(usage, "prompt_tokens");
            completion = Int(usage, "completion_tokens");
        }

        return new ChatCompletionChunk(content, finish, prompt, completion, null);
    }

    private static string ErrorMessage(JsonElement error) => error.ValueKind switch
    {
        JsonValueKind.String => error.GetString() ?? "",
        JsonValueKind.Object => String(error, "message") ?? "the engine reported an error",
        _ => "the engine reported an error",
    };

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
