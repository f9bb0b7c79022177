using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Portal.Inference.Engine;

namespace Portal.Web.Api;

/// <summary>A chat completion request, read and checked: what the pipeline gets, before the model is resolved.</summary>
public sealed record CompletionRequest(
    string Model,
    IReadOnlyList<ChatMessage> Messages,
    int? MaxTokens,
    SamplingSettings? Sampling,
    IReadOnlyList<string> StopSequences,
    bool Stream,
    bool IncludeUsage);

/// <summary>
/// Reads a /v1/chat/completions body within the size limit and turns nonsense into a 400 that names
/// the field. Sampling values outside OpenAI's ranges are refused rather than clamped silently.
/// </summary>
public static class CompletionRequestReader
{
    public static async Task<CompletionRequest> ReadAsync(HttpContext http, ApiOptions options, float defaultTemperature)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (http.Request.ContentLength > options.MaxRequestBodyBytes)
        {
            throw TooLarge(options);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxRequestBodyBytes;
        }

        ChatCompletionRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<ChatCompletionRequest>(http.Request.Body, OpenAiErrors.Json, http.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(options);
        }
        catch (JsonException)
        {
            throw new OpenAiErrorException(400, "We could not parse the JSON body of your request: it is not valid JSON or a field has the wrong type.");
        }

        return Check(body ?? throw new OpenAiErrorException(400, "The request body is empty; send a JSON object."), options, defaultTemperature);
    }

    private static OpenAiErrorException TooLarge(ApiOptions options) =>
        new(413, $"The request body is larger than {options.MaxRequestBodyBytes:N0} bytes.", code: "request_too_large");

    private static CompletionRequest Check(ChatCompletionRequest body, ApiOptions options, float defaultTemperature)
    {
        if (string.IsNullOrWhiteSpace(body.Model))
        {
            throw Invalid("model", "You must provide a model parameter.");
        }

        if (body.Messages is not { Count: > 0 })
        {
            throw Invalid("messages", "'messages' must contain at least one message.");
        }

        if (body.N is not (null or 1))
        {
            throw Invalid("n", "Only n = 1 is supported.");
        }

        var messages = body.Messages.Select((m, i) => Message(m, i)).ToList();
        if (messages[^1].Role != "user")
        {
            throw Invalid("messages", "The last message must have role 'user'.");
        }

        var maxTokens = body.MaxCompletionTokens ?? body.MaxTokens;
        if (maxTokens is < 1)
        {
            throw Invalid(body.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens", "The most tokens of the answer must be at least 1.");
        }

        if (body.Temperature is < 0 or > 2 || body.Temperature is { } t && !double.IsFinite(t))
        {
            throw Invalid("temperature", "'temperature' must be between 0 and 2.");
        }

        if (body.TopP is <= 0 or > 1 || body.TopP is { } p && !double.IsFinite(p))
        {
            throw Invalid("top_p", "'top_p' must be greater than 0 and at most 1.");
        }

        SamplingSettings? sampling = null;
        if (body.Temperature is not null || body.TopP is not null || body.Seed is not null)
        {
            var portal = new SamplingSettings();
            sampling = portal with
            {
                Temperature = (float)(body.Temperature ?? defaultTemperature),
                TopP = (float)(body.TopP ?? portal.TopP),
                // The engine's seed is 32 bits; a larger seed keeps its low bits (same seed, same answer).
                Seed = body.Seed is { } seed ? unchecked((uint)seed) : null,
            };
        }

        return new CompletionRequest(body.Model.Trim(), messages, maxTokens, sampling, StopSequences(body.Stop, options), body.Stream ?? false,
            body.StreamOptions?.IncludeUsage ?? false);
    }

    private static ChatMessage Message(WireMessage message, int index)
    {
        var role = message.Role switch
        {
            "system" or "developer" => "system",
            "user" => "user",
            "assistant" => "assistant",
            _ => throw Invalid($"messages[{index}].role", $"Unsupported role '{message.Role}': use 'system', 'user' or 'assistant'."),
        };
        var content = message.Content switch
        {
            { ValueKind: JsonValueKind.String } text => text.GetString()!,
            { ValueKind: JsonValueKind.Array } parts => string.Concat(parts.EnumerateArray().Select(part => TextPart(part, index))),
            { ValueKind: JsonValueKind.Null } or null when role == "assistant" => "",
            _ => throw Invalid($"messages[{index}].content", "'content' must be a string or an array of text parts."),
        };
        return new ChatMessage(role, content);
    }

    private static string TextPart(JsonElement part, int index) =>
        part.ValueKind == JsonValueKind.Object
        && part.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "text"
        && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()!
            : throw Invalid($"messages[{index}].content", "Only text content parts are supported.");

    private static List<string> StopSequences(JsonElement? stop, ApiOptions options)
    {
        List<string> sequences = stop switch
        {
            null or { ValueKind: JsonValueKind.Null } => [],
            { ValueKind: JsonValueKind.String } one => [one.GetString()!],
            { ValueKind: JsonValueKind.Array } many when many.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) =>
                [.. many.EnumerateArray().Select(s => s.GetString()!)],
            _ => throw Invalid("stop", "'stop' must be a string or an array of strings."),
        };
        if (sequences.Count > options.MaxStopSequences)
        {
            throw Invalid("stop", $"At most {options.MaxStopSequences} stop sequences are allowed.");
        }

        if (sequences.Any(s => s.Length is 0 or > 200))
        {
            throw Invalid("stop", "Each stop sequence must have between 1 and 200 characters.");
        }

        return sequences;
    }

    private static OpenAiErrorException Invalid(string param, string message) => new(400, message, param: param);
}
