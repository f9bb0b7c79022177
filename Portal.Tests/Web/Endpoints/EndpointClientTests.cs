using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Inference.Engine;
using Portal.Web.Endpoints;

namespace Portal.Tests.Web.Endpoints;

/// <summary>
/// The endpoint client against a real loopback server speaking the OpenAI streaming protocol over TCP:
/// the request it sends, the text and usage it reads, and every way a remote can fail.
/// </summary>
public sealed class EndpointClientTests : IAsyncLifetime
{
    private const string Key = "sk-test-5f3b9c2e1d";

    private readonly CapturedLogs logs = new();
    private FakeOpenAiServer server = default!;
    private IHost host = default!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private EndpointClient Client => host.Services.GetRequiredService<EndpointClient>();

    public async ValueTask InitializeAsync()
    {
        server = await FakeOpenAiServer.StartAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:Endpoints:IdleTimeoutSeconds"] = "1",
            ["Portal:Endpoints:ResponseTimeoutSeconds"] = "30",
            ["Portal:Endpoints:TestTimeoutSeconds"] = "30",
        });
        builder.Logging.AddProvider(logs);
        builder.AddPortalEndpoints();
        host = builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        host.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Stream_SendsTheOpenAiRequest_ReadsTextAndSettlesWithTheRemotesUsage()
    {
        server.RequiredKey = Key;

        var (text, result) = await RunAsync(Target(Key), Request("Hi there", maxTokens: 5000));

        Assert.Equal("Hello from the endpoint.", text);
        Assert.Equal((FinishReason.Stop, "Hello from the endpoint.", 11, 4, null), (result.FinishReason, result.Text, result.PromptTokens, result.CompletionTokens, result.Error));
        Assert.NotNull(result.TimeToFirstToken);
        var (body, authorization) = Assert.Single(server.ChatRequests);
        Assert.Equal("Bearer " + Key, authorization);
        Assert.Equal(FakeOpenAiServer.ModelName, body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(300, body.GetProperty("max_tokens").GetInt32()); // the endpoint's own limit, below the request's
        Assert.Equal("Hi there", body.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("user", body.GetProperty("messages")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task Stream_WithoutUsage_SettlesWithTheConservativeEstimate()
    {
        server.Answer = FakeOpenAiServer.Stream(["Grüße, ", "世界"], usage: null, finish: "length");
        var request = Request("Hello");

        var (_, result) = await RunAsync(Target(null), request);

        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(TokenEstimate.Prompt(request.Messages), result.PromptTokens);
        Assert.Equal(3 + 4 + 2, result.PromptTokens); // priming + one message + ceil(5 bytes / 3)
        Assert.Equal(5, result.CompletionTokens); // "Grüße, 世界" is 15 UTF-8 bytes: ceil(15 / 3)
        Assert.Null(Assert.Single(server.ChatRequests).Authorization);
    }

    [Theory]
    [InlineData(500, "The model endpoint 'Team Llama' did not answer: it failed (HTTP 500).")]
    [InlineData(401, "The model endpoint 'Team Llama' did not answer: it refused the portal's key (HTTP 401); an administrator must check the model's settings.")]
    public async Task RemoteError_EndsFailed_WithAMessageThatNamesOnlyTheModel(int status, string message)
    {
        server.Answer = FakeOpenAiServer.Status(status);

        var (text, result) = await RunAsync(Target("wrong-key"), Request("Hello"));

        Assert.Equal("", text);
        Assert.Equal((FinishReason.Error, message), (result.FinishReason, result.Error));
        Assert.DoesNotContain(server.BaseUrl, message, StringComparison.Ordinal);

        // The admin finds the remote's own words in the log.
        Assert.Contains(logs.Lines, l => l.Contains("CUDA out of memory", StringComparison.Ordinal) && l.Contains(server.BaseUrl, StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("wrong-key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StreamEndingEarly_EndsFailed_KeepingThePartialText()
    {
        server.Answer = FakeOpenAiServer.EndAfter(["Partial ", "answer"]);

        var (text, result) = await RunAsync(Target(null), Request("Hello"));

        Assert.Equal("Partial answer", text);
        Assert.Equal((FinishReason.Error, "Partial answer"), (result.FinishReason, result.Text));
        Assert.Equal("The model endpoint 'Team Llama' did not answer: the connection closed before the answer was complete.", result.Error);
        Assert.Equal(5, result.CompletionTokens); // no usage came: ceil(14 bytes / 3), more than the 2 pieces
    }

    [Fact]
    public async Task ConnectionReset_EndsFailed_KeepingWhatArrived()
    {
        server.Answer = FakeOpenAiServer.DisconnectAfter(["Partial ", "answer"]);

        var (text, result) = await RunAsync(Target(null), Request("Hello"));

        // A reset may drop data still in flight, so how much arrived varies; what arrived is kept.
        Assert.Equal(text, result.Text);
        Assert.StartsWith(text, "Partial answer", StringComparison.Ordinal);
        Assert.Equal(FinishReason.Error, result.FinishReason);
        Assert.Equal("The model endpoint 'Team Llama' did not answer: the connection closed before the answer was complete.", result.Error);
    }

    [Fact]
    public async Task SilenceMidStream_TimesOut_EndsFailed_KeepingThePartialText()
    {
        server.Answer = FakeOpenAiServer.SilentAfter(["Still "]);

        var (text, result) = await RunAsync(Target(null), Request("Hello"));

        Assert.Equal("Still ", text);
        Assert.Equal((FinishReason.Error, "The model endpoint 'Team Llama' did not answer: it stopped sending for 1 seconds."), (result.FinishReason, result.Error));
        await server.ClientAborted.WaitAsync(TimeSpan.FromSeconds(30), Cancel); // the timed-out request was aborted, not left open
    }

    [Fact]
    public async Task Unreachable_EndsFailed_SayingSo()
    {
        var (_, result) = await RunAsync(Target(null) with { BaseUrl = $"http://127.0.0.1:{ClosedPort()}/v1" }, Request("Hello"));

        Assert.Equal((FinishReason.Error, "The model endpoint 'Team Llama' did not answer: it could not be reached."), (result.FinishReason, result.Error));
    }

    [Fact]
    public async Task Cancel_AbortsTheHttpRequest_AndEndsCancelled()
    {
        server.Answer = FakeOpenAiServer.SilentAfter(["Thinking"]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        var generation = Client.Generate(Target(null), Request("Hello"), stop.Token);

        await using (var tokens = generation.GetAsyncEnumerator(Cancel))
        {
            Assert.True(await tokens.MoveNextAsync());
            Assert.Equal("Thinking", tokens.Current.Text);
            await stop.CancelAsync();
            await server.ClientAborted.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
            Assert.False(await tokens.MoveNextAsync());
        }

        var result = await generation.Completion.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        Assert.Equal((FinishReason.Cancelled, "Thinking", null), (result.FinishReason, result.Text, result.Error));
    }

    [Fact]
    public async Task TestConnection_SaysOk_WrongKey_ModelNotListed_AndUnreachable()
    {
        server.RequiredKey = Key;

        var ok = await Client.TestAsync(server.BaseUrl, Key, FakeOpenAiServer.ModelName, Cancel);
        var wrongKey = await Client.TestAsync(server.BaseUrl, "nope", FakeOpenAiServer.ModelName, Cancel);
        var notListed = await Client.TestAsync(server.BaseUrl, Key, "mistral-7b", Cancel);
        var unreachable = await Client.TestAsync($"http://127.0.0.1:{ClosedPort()}/v1", Key, FakeOpenAiServer.ModelName, Cancel);

        Assert.Equal((EndpointTestOutcome.Ok, $"Connected: the engine serves '{FakeOpenAiServer.ModelName}'."), (ok.Outcome, ok.Message));
        Assert.Equal((EndpointTestOutcome.Unauthorized, "The engine refused the key (HTTP 401). Check the API key."), (wrongKey.Outcome, wrongKey.Message));
        Assert.Equal((EndpointTestOutcome.ModelNotListed, $"Connected, but the engine does not list 'mistral-7b'. It lists: {FakeOpenAiServer.ModelName}, other-model."), (notListed.Outcome, notListed.Message));
        Assert.Equal(EndpointTestOutcome.Unreachable, unreachable.Outcome);
        Assert.StartsWith("The engine could not be reached: ", unreachable.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://gpu-01:8000/v1/", "http://gpu-01:8000/v1", null)]
    [InlineData(" https://engine.example.org/openai/v1 ", "https://engine.example.org/openai/v1", null)]
    [InlineData("", null, "Enter the engine's base URL, e.g. http://gpu-01:8000/v1.")]
    [InlineData("gpu-01:8000/v1", null, "The base URL must be an absolute URL such as http://gpu-01:8000/v1.")]
    [InlineData("/v1", null, "The base URL must be an absolute URL such as http://gpu-01:8000/v1.")]
    [InlineData("file:///etc/passwd", null, "The base URL must be an absolute URL such as http://gpu-01:8000/v1.")]
    [InlineData("ftp://gpu-01/v1", null, "The base URL must start with http:// or https://.")]
    [InlineData("http://admin:secret@gpu-01:8000/v1", null, "Leave the user name and password out of the URL; put the key in the API key field.")]
    [InlineData("http://gpu-01:8000/v1?key=abc", null, "The base URL cannot have a query (?...).")]
    [InlineData("http://gpu-01:8000/v1#top", null, "The base URL cannot have a fragment (#...).")]
    public void BaseUrl_OnlyAbsoluteHttpWithoutCredentialsQueryOrFragment(string text, string? normalized, string? error)
    {
        Assert.Equal((normalized, error), (EndpointUrl.Normalize(text, out var reason), reason));
    }

    [Fact]
    public void BaseUrl_TooLong_Refused()
    {
        Assert.Null(EndpointUrl.Normalize("http://gpu-01/" + new string('a', 500), out var reason));
        Assert.Equal("The base URL has 514 characters; the most is 500.", reason);
    }

    private async Task<(string Text, GenerationResult Result)> RunAsync(EndpointTarget target, GenerationRequest request)
    {
        var generation = Client.Generate(target, request, Cancel);
        var text = new System.Text.StringBuilder();
        try
        {
            await foreach (var chunk in generation.WithCancellation(Cancel))
            {
                text.Append(chunk.Text);
            }
        }
        catch (InferenceException ex)
        {
            // A failed stream ends with its error, as the engine's does.
            Assert.Equal((await generation.Completion).Error, ex.Message);
        }

        return (text.ToString(), await generation.Completion.WaitAsync(TimeSpan.FromSeconds(60), Cancel));
    }

    private EndpointTarget Target(string? key) =>
        new(Guid.NewGuid(), "Team Llama", server.BaseUrl, FakeOpenAiServer.ModelName, key, MaxOutputTokens: 300, ParallelRequests: 4);

    private static GenerationRequest Request(string text, int maxTokens = 100) => new()
    {
        ModelId = "endpoint-test",
        Messages = [new ChatMessage("user", text)],
        MaxTokens = maxTokens,
    };

    /// <summary>A loopback port nothing listens on: bound, read and released.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
