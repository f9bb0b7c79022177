using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Web.Chat;

namespace Portal.Web.Api;

// OpenAI's chat completion wire shapes, as far as the portal speaks them. Serialised with
// OpenAiErrors.Json (snake_case, nulls left out). Fields prefixed "portal_" are the portal's own.

public sealed class ChatCompletionRequest
{
    public string? Model { get; set; }

    public List<WireMessage>? Messages { get; set; }

    public int? MaxTokens { get; set; }

    public int? MaxCompletionTokens { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement? Stop { get; set; }

    public long? Seed { get; set; }

    public bool? Stream { get; set; }

    public StreamOptions? StreamOptions { get; set; }

    public int? N { get; set; }
}

public sealed class StreamOptions
{
    public bool? IncludeUsage { get; set; }
}

public sealed class WireMessage
{
    public string? Role { get; set; }

    /// <summary>A string, or an array of content parts of which only "text" parts are accepted.</summary>
    public JsonElement? Content { get; set; }
}

public sealed record ModelObject(string Id, [property: JsonPropertyName("object")] string ObjectType, long Created, string OwnedBy);

public sealed record ModelList([property: JsonPropertyName("object")] string ObjectType, IReadOnlyList<ModelObject> Data);

public sealed record UsageObject(int PromptTokens, int CompletionTokens, int TotalTokens);

public sealed record AnswerMessage(string Role, string Content);

public sealed record CompletionChoice(int Index, AnswerMessage Message, string FinishReason);

public sealed record ChatCompletion(
    string Id,
    [property: JsonPropertyName("object")] string ObjectType,
    long Created,
    string Model,
    IReadOnlyList<CompletionChoice> Choices,
    UsageObject Usage,
    IReadOnlyList<PolicyActionView>? PortalPolicyActions);

public sealed record ChunkDelta(string? Role = null, string? Content = null);

public sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason);

public sealed record ChatCompletionChunk(
    string Id,
    [property: JsonPropertyName("object")] string ObjectType,
    long Created,
    string Model,
    IReadOnlyList<ChunkChoice> Choices,
    UsageObject? Usage = null,
    IReadOnlyList<PolicyActionView>? PortalPolicyActions = null,
    bool? PortalRevision = null);
