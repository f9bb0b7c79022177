using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Portal.Web.Api;

/// <summary>OpenAI's error shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record OpenAiError(string Message, string Type, string? Param, string? Code);

public sealed record OpenAiErrorBody(OpenAiError Error);

/// <summary>A /v1 request refused with a status and an OpenAI-shaped error.</summary>
public sealed class OpenAiErrorException(int status, string message, string type = "invalid_request_error", string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;

    public OpenAiError Error { get; } = new(message, type, param, code);

    /// <summary>Sent as <c>Retry-After</c> (whole seconds) with a 429.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

public static class OpenAiErrors
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,

        // JSON for API clients, never embedded in HTML: apostrophes and non-ASCII text stay as written.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Task WriteAsync(HttpContext http, int status, string message, string type, string? code, string? param = null) =>
        WriteAsync(http, status, new OpenAiError(message, type, param, code));

    public static async Task WriteAsync(HttpContext http, int status, OpenAiError error)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
        {
            statusPages.Enabled = false; // the caller wants the error, not the portal's "not found" page
        }

        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new OpenAiErrorBody(error), Json, http.RequestAborted);
    }
}
