using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Inference.Engine;

namespace Portal.Web.Endpoints;

/// <summary>
/// Talks to an external engine over the OpenAI protocol (vLLM, llama.cpp's server, Ollama, TGI, or
/// another portal's <c>/v1</c>): streamed chat completions (server-sent events of
/// <c>chat.completion.chunk</c>) with a Bearer key, and the model list for "Test connection". Only URLs
/// a platform admin stored are ever called. A member's message names the model, never the URL or the
/// reason the remote gave; those go to the log for the admin.
/// </summary>
public sealed partial class EndpointClient(
    IHttpClientFactory httpClients,
    IOptions<EndpointOptions> options,
    TimeProvider time,
    ILogger<EndpointClient> logger)
{
    /// <summary>The named <see cref="HttpClient"/> (no redirects, connect timeout, no overall timeout: answers stream).</summary>
    public const string HttpClientName = "Portal.Endpoints";

    /// <summary>Starts the answer on the remote; enumerate the result for its text.</summary>
    public EndpointGeneration Generate(EndpointTarget target, GenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        var generation = new EndpointGeneration(cancellationToken);
        _ = Task.Run(() => StreamAsync(target, request, generation), CancellationToken.None);
        return generation;
    }

    /// <summary>The request body: the OpenAI chat completions request, streamed, with usage at the end.</summary>
    public static object RequestBody(EndpointTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        var body = new Dictionary<string, object>
        {
            ["model"] = target.RemoteModel,
            ["messages"] = request.Messages.Select(m => new { role = m.Role, content = m.Content }).ToList(),
            ["stream"] = true,
            ["stream_options"] = new { include_usage = true },
            ["max_tokens"] = Math.Max(1, Math.Min(request.MaxTokens, target.MaxOutputTokens)),
            ["temperature"] = request.Sampling.Temperature,
        };
        if (request.StopSequences.Count > 0)
        {
            body["stop"] = request.StopSequences.Take(4).ToList();
        }

        if (request.Sampling.Seed is { } seed)
        {
            body["seed"] = seed;
        }

        return body;
    }

    private async Task StreamAsync(EndpointTarget target, GenerationRequest request, EndpointGeneration generation)
    {
        var startedAt = time.GetTimestamp();
        var text = new StringBuilder();
        var pieces = 0;
        TimeSpan? firstToken = null;
        int? promptTokens = null, completionTokens = null;
        string? finish = null, failure = null;
        var stopped = false;
        var settings = options.Value;
        var silence = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        var linked = CancellationTokenSource.CreateLinkedTokenSource(generation.Token, silence.Token);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, target.ChatCompletionsUri) { Content = JsonContent.Create(RequestBody(target, request)) };
            Authorize(message, target.ApiKey);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            silence.CancelAfter(TimeSpan.FromSeconds(settings.ResponseTimeoutSeconds));
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            if (!response.IsSuccessStatusCode)
            {
                failure = Refusal(response.StatusCode);
                LogRefused(target.Name, target.BaseUrl, (int)response.StatusCode, await SnippetAsync(response, linked.Token));
            }
            else
            {
                await using var body = await response.Content.ReadAsStreamAsync(linked.Token);
                using var reader = new StreamReader(body, Encoding.UTF8);
                var data = new StringBuilder();
                var done = false;
                while (!done)
                {
                    silence.CancelAfter(TimeSpan.FromSeconds(settings.IdleTimeoutSeconds));
                    var line = await reader.ReadLineAsync(linked.Token);
                    if (line is null)
                    {
                        break;
                    }

                    if (line.StartsWith("data:", StringComparison.Ordinal))
                    {
                        data.Append(data.Length > 0 ? "\n" : "").Append(line.AsSpan(5).TrimStart(' '));
                        continue;
                    }

                    if (line.Length > 0 || data.Length == 0)
                    {
                        continue; // comments (": ping"), event names and ids carry nothing for us
                    }

                    var payload = data.ToString();
                    data.Clear();
                    if (payload == "[DONE]")
                    {
                        done = true;
                        continue;
                    }

                    var chunk = ChatCompletionChunk.Parse(payload);
                    if (chunk.Error is { } reported)
                    {
                        failure = "it reported an error while answering";
                        LogStreamError(target.Name, target.BaseUrl, reported);
                        break;
                    }

                    (promptTokens, completionTokens) = (chunk.PromptTokens ?? promptTokens, chunk.CompletionTokens ?? completionTokens);
                    finish = chunk.FinishReason ?? finish;
                    if (!string.IsNullOrEmpty(chunk.Content))
                    {
                        firstToken ??= time.GetElapsedTime(startedAt);
                        text.Append(chunk.Content);
                        generation.Emit(new TokenChunk(chunk.Content, ++pieces));
                    }
                }

                if (failure is null && !done && finish is null)
                {
                    failure = "the connection closed before the answer was complete";
                    LogBrokenOff(target.Name, target.BaseUrl, null);
                }
            }
        }
        catch (OperationCanceledException) when (generation.Token.IsCancellationRequested)
        {
            // Stopped by the person or abandoned: the request is aborted, the text so far kept.
        }
        catch (OperationCanceledException) when (silence.IsCancellationRequested)
        {
            failure = firstToken is null && text.Length == 0
                ? "it did not answer in time"
                : $"it stopped sending for {settings.IdleTimeoutSeconds.ToString(CultureInfo.InvariantCulture)} seconds";
            LogTimedOut(target.Name, target.BaseUrl);
        }
        catch (HttpRequestException ex)
        {
            failure = text.Length == 0 && ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                ? "it could not be reached"
                : "the connection closed before the answer was complete";
            LogBrokenOff(target.Name, target.BaseUrl, ex);
        }
        catch (IOException ex)
        {
            failure = "the connection closed before the answer was complete";
            LogBrokenOff(target.Name, target.BaseUrl, ex);
        }
        catch (JsonException ex)
        {
            failure = "it sent something that is not an OpenAI chat completion stream";
            LogBrokenOff(target.Name, target.BaseUrl, ex);
        }
        finally
        {
            // Stopped by the person: whatever the aborted request threw, the answer is stopped, not failed.
            if (generation.Token.IsCancellationRequested)
            {
                failure = null;
                stopped = true;
            }

            linked.Dispose();
            silence.Dispose();
            var reason = failure is not null ? FinishReason.Error
                : stopped ? FinishReason.Cancelled
                : finish == "length" ? FinishReason.Length
                : FinishReason.Stop;

            // The remote's count settles the answer; without it, the estimate (never fewer than the pieces that came).
            var answerText = text.ToString();
            generation.Complete(new GenerationResult(
                reason,
                answerText,
                promptTokens ?? TokenEstimate.Prompt(request.Messages),
                completionTokens ?? Math.Max(pieces, answerText.Length == 0 ? 0 : TokenEstimate.Text(answerText)),
                firstToken,
                time.GetElapsedTime(startedAt),
                failure is null ? null : Failed(target, failure),
                Node: $"endpoint:{target.Name}"));
            generation.Dispose();
        }
    }

    /// <summary>Asks the remote for its models (<c>GET {base}/models</c>) and says whether <paramref name="remoteModel"/> is among them.</summary>
    public async Task<EndpointTestResult> TestAsync(string baseUrl, string? apiKey, string remoteModel, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseUrl);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(options.Value.TestTimeoutSeconds), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl.TrimEnd('/') + "/models"));
            Authorize(message, apiKey);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(message, linked.Token);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return new EndpointTestResult(EndpointTestOutcome.Unauthorized, $"The engine refused the key (HTTP {(int)response.StatusCode}). Check the API key.", []);
            }

            if (!response.IsSuccessStatusCode)
            {
                return new EndpointTestResult(EndpointTestOutcome.Failed, $"The engine answered HTTP {(int)response.StatusCode} to GET {baseUrl.TrimEnd('/')}/models. Is the base URL the API root (often ending in /v1)?", []);
            }

            var models = ModelIds(await response.Content.ReadAsStringAsync(linked.Token));
            return models.Contains(remoteModel, StringComparer.Ordinal)
                ? new EndpointTestResult(EndpointTestOutcome.Ok, $"Connected: the engine serves '{remoteModel}'.", models)
                : new EndpointTestResult(EndpointTestOutcome.ModelNotListed,
                    $"Connected, but the engine does not list '{remoteModel}'. It lists: {(models.Count == 0 ? "no models" : string.Join(", ", models.Take(20)))}.", models);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new EndpointTestResult(EndpointTestOutcome.Unreachable, $"The engine did not answer within {options.Value.TestTimeoutSeconds} seconds.", []);
        }
        catch (HttpRequestException ex)
        {
            return new EndpointTestResult(EndpointTestOutcome.Unreachable, $"The engine could not be reached: {ex.Message}", []);
        }
        catch (JsonException)
        {
            return new EndpointTestResult(EndpointTestOutcome.Failed, "The engine answered, but not with an OpenAI model list. Is the base URL the API root (often ending in /v1)?", []);
        }
    }

    /// <summary>What a member reads when the endpoint fails: the model's name and what went wrong, never its URL or key.</summary>
    public static string Failed(EndpointTarget target, string what)
    {
        ArgumentNullException.ThrowIfNull(target);
        return $"The model endpoint '{target.Name}' did not answer: {what}.";
    }

    private static string Refusal(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"it refused the portal's key (HTTP {(int)status}); an administrator must check the model's settings",
        HttpStatusCode.NotFound => "it does not know the model or the address (HTTP 404); an administrator must check the model's settings",
        HttpStatusCode.TooManyRequests => "it is busy (HTTP 429); try again in a moment",
        _ when (int)status >= 500 => $"it failed (HTTP {(int)status})",
        _ => $"it refused the request (HTTP {(int)status})",
    };

    private static IReadOnlyList<string> ModelIds(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw new JsonException("No data array.");
        }

        return [.. data.EnumerateArray()
            .Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null)
            .OfType<string>()];
    }

    private static void Authorize(HttpRequestMessage message, string? apiKey)
    {
        if (!string.IsNullOrEmpty(apiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    private static async Task<string> SnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return body.Length > 500 ? body[..500] : body;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return "";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint model {Name} at {BaseUrl} answered HTTP {Status}: {Body}")]
    private partial void LogRefused(string name, string baseUrl, int status, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint model {Name} at {BaseUrl} reported an error in its stream: {Error}")]
    private partial void LogStreamError(string name, string baseUrl, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint model {Name} at {BaseUrl} timed out")]
    private partial void LogTimedOut(string name, string baseUrl);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Endpoint model {Name} at {BaseUrl}: the stream broke off")]
    private partial void LogBrokenOff(string name, string baseUrl, Exception? exception);
}

public enum EndpointTestOutcome
{
    Ok,
    Unreachable,
    Unauthorized,
    ModelNotListed,
    Failed,
}

/// <summary>What "Test connection" found, for the platform admin (who may see the URL and the remote's reasons).</summary>
public sealed record EndpointTestResult(EndpointTestOutcome Outcome, string Message, IReadOnlyList<string> Models);
