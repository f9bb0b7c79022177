using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Portal.Tests.Web.Chat;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Operations;

/// <summary>
/// The OTLP exporter switched on by configuration, sending over HTTP to a receiver on loopback that keeps
/// what arrives: after a chat the receiver holds the generation's span and counters, and none of the bytes
/// (those sent at the portal's stop included) holds the prompt or the person's e-mail address.
/// </summary>
public sealed class OtlpExportTests
{
    private const string Prompt = "Tell me about llamas.";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OtlpEndpoint_AfterChatAndStop_CollectorReceivedTracesAndMetricsWithoutText()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var portal = await OperationsPortal.StartAsync(new Dictionary<string, string?>
        {
            ["Portal:Telemetry:Metrics:Enabled"] = "true",
            ["Portal:Telemetry:Tracing:Enabled"] = "true",
            ["Portal:Telemetry:Otlp:Endpoint"] = collector.Address.ToString(),
            ["Portal:Telemetry:Otlp:Protocol"] = "HttpProtobuf",
        });
        string email;
        await using (portal)
        {
            var (member, hub) = await portal.ConnectedMemberAsync();
            email = member;
            await using var _ = hub;
            var recorder = new AnswerRecorder(hub);
            var workspace = (await hub.InvokeAsync<IReadOnlyList<WorkspaceView>>(nameof(ChatHub.ListWorkspaces), Cancel))[0];
            var model = (await hub.InvokeAsync<IReadOnlyList<ModelChoice>>(nameof(ChatHub.ListModels), Cancel)).Single();
            var conversationId = await hub.InvokeAsync<Guid>(nameof(ChatHub.CreateConversation), workspace.Id, model.Id, null, Cancel);
            await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, Prompt, Cancel);
            await recorder.Completed;

            // The batches go out every few seconds, and at the stop only within the SDK's own 5 s: on a busy machine the
            // test asks the providers to push now (a real export each time) until the generation's span and counter arrived.
            var tracer = portal.Factory.Services.GetRequiredService<TracerProvider>();
            var meter = portal.Factory.Services.GetRequiredService<MeterProvider>();
            for (var attempt = 0; attempt < 40 && !(Holds(collector, "/v1/traces", "portal.generation") && Holds(collector, "/v1/metrics", "portal.generations")); attempt++)
            {
                tracer.ForceFlush(30_000);
                meter.ForceFlush(30_000);
                await Task.Delay(250, Cancel);
            }
        }

        var traces = collector.Received("/v1/traces");
        var metrics = collector.Received("/v1/metrics");
        Assert.True(Holds(collector, "/v1/traces", "portal.generation"), $"{traces.Count} trace exports, none with the span portal.generation");
        Assert.True(Holds(collector, "/v1/metrics", "portal.generations"), $"{metrics.Count} metric exports, none with portal.generations");
        foreach (var body in traces.Concat(metrics).Select(b => Encoding.UTF8.GetString(b)))
        {
            Assert.DoesNotContain(Prompt, body, StringComparison.Ordinal);
            Assert.DoesNotContain(email, body, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static bool Holds(OtlpReceiver collector, string path, string text) =>
        collector.Received(path).Any(body => Encoding.UTF8.GetString(body).Contains(text, StringComparison.Ordinal));

    /// <summary>An OTLP/HTTP endpoint that answers 200 to every export and keeps the bodies by path.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string Path, byte[] Body)> exports = new();
        private WebApplication app = default!;

        public Uri Address { get; private set; } = default!;

        public static async Task<OtlpReceiver> StartAsync()
        {
            var receiver = new OtlpReceiver();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            receiver.app = builder.Build();
            receiver.app.MapPost("/{**signal}", async (HttpContext context) =>
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                receiver.exports.Enqueue((context.Request.Path.Value!, body.ToArray()));
                return Results.Ok();
            });
            await receiver.app.StartAsync(TestContext.Current.CancellationToken);
            receiver.Address = new Uri(receiver.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
            return receiver;
        }

        public List<byte[]> Received(string path) => [.. exports.Where(e => e.Path == path).Select(e => e.Body)];

        public ValueTask DisposeAsync() => app.DisposeAsync();
    }
}
