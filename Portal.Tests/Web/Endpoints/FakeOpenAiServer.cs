using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Web.Endpoints;

/// <summary>
/// An external engine at the network boundary the issue names: a Kestrel app on a loopback port of its
/// own that speaks the OpenAI protocol (<c>GET /v1/models</c>, streamed <c>POST /v1/chat/completions</c>
/// as server-sent events of <c>chat.completion.chunk</c>), with the behaviour of the next answers set by
/// the test: a normal stream, an HTTP error, a disconnect or a silence mid-stream.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string ModelName = "remote/llama-3-8b";

    private readonly WebApplication app;
    private readonly TaskCompletionSource aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeOpenAiServer(WebApplication app) => this.app = app;

    /// <summary>The key the engine wants as a Bearer token; null: it takes any request.</summary>
    public string? RequiredKey { get; set; }

    /// <summary>How the next chat requests are answered.</summary>
    public Func<HttpContext, Task> Answer { get; set; } = Stream(["Hello", " from", " the", " endpoint."], usage: (11, 4));

    /// <summary>Chat requests received: their JSON body and Authorization header.</summary>
    public ConcurrentQueue<(JsonElement Body, string? Authorization)> ChatRequests { get; } = new();

    /// <summary>Completes when a client aborted a chat request while the server was still answering it.</summary>
    public Task ClientAborted => aborted.Task;

    public string BaseUrl { get; private set; } = "";

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeOpenAiServer(app);
        app.MapGet("/v1/models", server.ModelsAsync);
        app.MapPost("/v1/chat/completions", server.ChatAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseUrl = address.TrimEnd('/') + "/v1";
        return server;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    /// <summary>Streams <paramref name="pieces"/>, then the finish reason, the usage chunk (when given) and [DONE].</summary>
    public static Func<HttpContext, Task> Stream(IReadOnlyList<string> pieces, (int Prompt, int Completion)? usage = null, string finish = "stop") => async http =>
    {
        await StartStreamAsync(http);
        foreach (var piece in pieces)
        {
            await EventAsync(http, Chunk(new { content = piece }, null));
        }

        await EventAsync(http, Chunk(new { }, finish));
        if (usage is { } u)
        {
            await EventAsync(http, JsonSerializer.Serialize(new { id = "chatcmpl-test", @object = "chat.completion.chunk", choices = Array.Empty<object>(), usage = new { prompt_tokens = u.Prompt, completion_tokens = u.Completion, total_tokens = u.Prompt + u.Completion } }));
        }

        await EventAsync(http, "[DONE]");
    };

    /// <summary>Answers with an HTTP error and a JSON body naming an internal detail (which must never reach a member).</summary>
    public static Func<HttpContext, Task> Status(int status) => async http =>
    {
        http.Response.StatusCode = status;
        await http.Response.WriteAsJsonAsync(new { error = new { message = "internal: CUDA out of memory on gpu-07.internal", type = "server_error" } });
    };

    /// <summary>Streams <paramref name="pieces"/>, then closes the response with neither a finish reason nor [DONE] (an engine that went away between chunks).</summary>
    public static Func<HttpContext, Task> EndAfter(IReadOnlyList<string> pieces) => async http =>
    {
        await StartStreamAsync(http);
        foreach (var piece in pieces)
        {
            await EventAsync(http, Chunk(new { content = piece }, null));
        }
    };

    /// <summary>Streams <paramref name="pieces"/>, then resets the TCP connection (a crashed engine; data still in flight may be lost).</summary>
    public static Func<HttpContext, Task> DisconnectAfter(IReadOnlyList<string> pieces) => async http =>
    {
        await StartStreamAsync(http);
        foreach (var piece in pieces)
        {
            await EventAsync(http, Chunk(new { content = piece }, null));
        }

        http.Abort();
    };

    /// <summary>Streams <paramref name="pieces"/>, then stays silent until the client goes away.</summary>
    public static Func<HttpContext, Task> SilentAfter(IReadOnlyList<string> pieces) => async http =>
    {
        await StartStreamAsync(http);
        foreach (var piece in pieces)
        {
            await EventAsync(http, Chunk(new { content = piece }, null));
        }

        await Task.Delay(Timeout.Infinite, http.RequestAborted);
    };

    private async Task ModelsAsync(HttpContext http)
    {
        if (!Authorized(http))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        await http.Response.WriteAsJsonAsync(new { @object = "list", data = new[] { new { id = ModelName, @object = "model", owned_by = "test" }, new { id = "other-model", @object = "model", owned_by = "test" } } });
    }

    private async Task ChatAsync(HttpContext http)
    {
        var body = await JsonSerializer.DeserializeAsync<JsonElement>(http.Request.Body);
        ChatRequests.Enqueue((body, http.Request.Headers.Authorization.ToString() is { Length: > 0 } header ? header : null));
        if (!Authorized(http))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await http.Response.WriteAsJsonAsync(new { error = new { message = "Invalid API key" } });
            return;
        }

        try
        {
            await Answer(http);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away mid-answer.
        }

        if (http.RequestAborted.IsCancellationRequested)
        {
            aborted.TrySetResult();
        }
    }

    private bool Authorized(HttpContext http) =>
        RequiredKey is null || http.Request.Headers.Authorization.ToString() == "Bearer " + RequiredKey;

    private static async Task StartStreamAsync(HttpContext http)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static string Chunk(object delta, string? finish) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-test",
        @object = "chat.completion.chunk",
        created = 0,
        model = ModelName,
        choices = new[] { new { index = 0, delta, finish_reason = finish } },
    });

    private static async Task EventAsync(HttpContext http, string data)
    {
        await http.Response.WriteAsync($"data: {data}\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }
}
