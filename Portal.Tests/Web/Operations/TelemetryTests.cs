using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using Portal.Domain.Policies;
using Portal.Domain.Quotas;
using Portal.Domain.Usage;
using Portal.Tests.Web.Chat;
using Portal.Web.Chat;
using Portal.Web.Operations;

namespace Portal.Tests.Web.Operations;

/// <summary>
/// OpenTelemetry on the real portal: off by default, and when switched on a chat through the hub shows up
/// in the Prometheus scrape with the figures of its usage record, and as a span that carries no text.
/// The meter and activity source are process-wide while tests run side by side, so each test gives its
/// model a name of its own and reads only the series of that name.
/// </summary>
public sealed class TelemetryTests
{
    /// <summary>The tiny model answers this (greedily) with tokens, so every figure has a value; it must never leave the portal.</summary>
    private const string Prompt = "Tell me about llamas.";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_OffByDefault_NoScrapeEndpoint()
    {
        await using var portal = await OperationsPortal.StartAsync();
        using var probe = portal.Anonymous();

        using var response = await probe.GetAsync("/metrics", Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("/metrics", new TelemetryOptions().Prometheus.Path);
        Assert.False(portal.Factory.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.MetricsOn);
        Assert.Null(portal.Factory.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task Prometheus_AfterChat_ExposesGenerationFiguresOfTheUsageRecordAndNoText()
    {
        var spans = new List<Activity>();
        await using var portal = await OperationsPortal.StartAsync(
            new Dictionary<string, string?>
            {
                ["Portal:Telemetry:Prometheus:Enabled"] = "true",
                ["Portal:Telemetry:Tracing:Enabled"] = "true",
            },
            services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        var model = await NameTestModelUniquelyAsync(portal);
        var (email, hub) = await portal.ConnectedMemberAsync();
        await using var _ = hub;
        var recorder = new AnswerRecorder(hub);
        var conversationId = await NewConversationAsync(hub, model.Id);

        await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, Prompt, Cancel);
        var final = await recorder.Completed;
        var usage = await portal.Factory.QueryAsync(db => db.UsageRecords.AsNoTracking().SingleAsync(u => u.ConversationId == conversationId, Cancel));
        Assert.Equal(GenerationOutcome.Completed, usage.Outcome);
        Assert.True(usage.CompletionTokens > 0, "the tiny model gave no token for the prompt");

        using var probe = portal.Anonymous();
        var scrape = await ScrapeAsync(probe);
        var byModel = ("model", model.Name);
        Assert.Equal(1, scrape.Value("portal_generations_total", byModel, ("outcome", "completed")));
        Assert.Equal(usage.PromptTokens, scrape.Value("portal_tokens_total", byModel, ("type", "prompt")));
        Assert.Equal(usage.CompletionTokens, scrape.Value("portal_tokens_total", byModel, ("type", "completion")));
        Assert.Equal(final.CompletionTokens, usage.CompletionTokens);
        Assert.Equal(1, scrape.Value("portal_generation_time_to_first_token_seconds_count", byModel));
        Assert.Equal(usage.TimeToFirstToken.TotalSeconds, scrape.Value("portal_generation_time_to_first_token_seconds_sum", byModel), 6);
        Assert.Equal(1, scrape.Value("portal_generation_tokens_per_second_count", byModel));
        Assert.Equal(portal.Factory.Services.GetRequiredService<Portal.Web.Models.ModelCatalog>().Loaded(model.Id)!.Slots, scrape.Value("portal_slots_total", byModel));
        Assert.Equal(0, scrape.Value("portal_slots_used", byModel));
        Assert.Equal(0, scrape.Value("portal_queue_length", byModel));
        Assert.True(scrape.Find("portal_requests_total", ("door", "hub")).Single().Value >= 1);
        Assert.NotEmpty(scrape.Find("http_server_request_duration_seconds_count")); // ASP.NET Core's own meter
        Assert.DoesNotContain(Prompt, scrape.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(email, scrape.Text, StringComparison.Ordinal);

        // The span ends once the answer is settled, just after the last frame went out.
        var generation = await WaitForAsync(() => Snapshot(spans).SingleOrDefault(s => s.OperationName == "portal.generation" && Equals(s.GetTagItem("portal.model.id"), model.Id.ToString())));
        Assert.Equal("completed", generation.GetTagItem("portal.outcome"));
        Assert.Equal(model.Name, generation.GetTagItem("portal.model.name"));
        Assert.Equal("hub", generation.GetTagItem("portal.door"));
        Assert.Equal(usage.TenantId.ToString(), generation.GetTagItem("portal.tenant.id"));
        Assert.Equal(usage.CompletionTokens, generation.GetTagItem("gen_ai.usage.output_tokens"));
        var everyTag = Snapshot(spans).SelectMany(s => s.TagObjects.Select(t => $"{s.OperationName} {t.Key}={t.Value}")).ToList();
        Assert.Contains(Snapshot(spans), s => s.Source.Name == "Microsoft.AspNetCore"); // the HTTP requests are traced too
        Assert.DoesNotContain(everyTag, t => t.Contains(Prompt, StringComparison.Ordinal) || t.Contains(email, StringComparison.OrdinalIgnoreCase)
            || t.Contains(OperationsPortal.MemberPassword, StringComparison.Ordinal) || (final.Content.Length >= 8 && t.Contains(final.Content, StringComparison.Ordinal)));
        Assert.DoesNotContain(Snapshot(spans), s => s.GetTagItem("url.path") is string path && path.StartsWith("/health", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prometheus_PolicyRefusalAndQuotaRefusal_CountedByKindAndLimit()
    {
        await using var portal = await OperationsPortal.StartAsync(new Dictionary<string, string?> { ["Portal:Telemetry:Prometheus:Enabled"] = "true" });
        var model = await NameTestModelUniquelyAsync(portal);
        var (_, hub) = await portal.ConnectedMemberAsync();
        await using var _ = hub;
        var tenantId = await portal.Factory.QueryAsync(async db =>
        {
            var tenant = await db.Tenants.SingleAsync(Cancel);
            var admin = await db.PortalUsers.SingleAsync(u => u.IsPlatformAdmin, Cancel);
            db.TenantPolicies.Add(new TenantPolicy { TenantId = tenant.Id, CreatedByUserId = admin.Id, Name = "Codenames", InputRules = [new PolicyRule("codenames", PolicyRuleKind.Word, "falcon")] });
            await db.SaveChangesAsync(Cancel);
            return tenant.Id;
        });
        var recorder = new AnswerRecorder(hub);
        var conversationId = await NewConversationAsync(hub, model.Id);

        await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "What does Project FALCON cost?", Cancel);
        Assert.Equal(GenerationState.Refused, (await recorder.Completed).State);
        await portal.Factory.QueryAsync(db =>
        {
            db.Quotas.Add(new Quota { TenantId = tenantId, TokensPerDay = 5 });
            return db.SaveChangesAsync(Cancel);
        });
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Tell me about llamas.", Cancel));
        Assert.Contains("daily token limit (5 tokens)", refused.Message, StringComparison.Ordinal);

        using var probe = portal.Anonymous();
        var scrape = await ScrapeAsync(probe);
        var byModel = ("model", model.Name);
        Assert.Equal(1, scrape.Value("portal_policy_actions_total", byModel, ("kind", "refused")));
        Assert.Equal(1, scrape.Value("portal_generations_total", byModel, ("outcome", "refused")));
        Assert.Equal(1, scrape.Value("portal_quota_refusals_total", byModel, ("limit", "tokens_per_day"), ("scope", "tenant")));
        Assert.Empty(scrape.Find("portal_generations_total", byModel, ("outcome", "completed")));
        Assert.DoesNotContain("FALCON", scrape.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Prometheus_OutsideAllowedNetworks_RefusedButPlatformAdminMayRead()
    {
        await using var portal = await OperationsPortal.StartAsync(new Dictionary<string, string?>
        {
            ["Portal:Telemetry:Prometheus:Enabled"] = "true",
            ["Portal:Telemetry:Prometheus:Path"] = "/internal/metrics",
            ["Portal:Telemetry:Prometheus:AllowedNetworks:0"] = "10.0.0.0/8",
        });
        using var probe = portal.Anonymous();

        using (var refused = await probe.GetAsync("/internal/metrics", Cancel))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("Metrics are served to the allowed networks and to platform administrators only.", await refused.Content.ReadAsStringAsync(Cancel));
        }

        using (var moved = await probe.GetAsync("/metrics", Cancel))
        {
            Assert.Equal(HttpStatusCode.NotFound, moved.StatusCode);
        }

        var admin = await portal.SignedInPlatformAdminAsync();
        using var allowed = await admin.GetAsync("/internal/metrics");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("# TYPE", await allowed.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Portal:Telemetry:Otlp:Endpoint", "http://127.0.0.1:4317", "nothing would be exported")]
    [InlineData("Portal:Telemetry:Prometheus:AllowedNetworks:0", "10.0.0.1/33", "'10.0.0.1/33' is not a network in CIDR form")]
    public async Task WrongSetting_StopsTheStartNamingIt(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { [key] = value, ["Portal:Telemetry:Prometheus:Enabled"] = key.Contains("Prometheus", StringComparison.Ordinal) ? "true" : "false" };
        await using var factory = new Portal.Tests.Web.Hosting.PortalAppFactory(settings, migrate: false);

        var error = Assert.Throws<OptionsValidationException>(() => factory.Services);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>Gives the embedded tiny model a name no other test uses, so the series of this test are its own.</summary>
    private static async Task<(Guid Id, string Name)> NameTestModelUniquelyAsync(OperationsPortal portal)
    {
        var name = $"ops-metrics-{Guid.NewGuid():N}";
        var id = await portal.Factory.QueryAsync(async db =>
        {
            var entry = await db.ModelEntries.SingleAsync(Cancel);
            entry.Name = name;
            await db.SaveChangesAsync(Cancel);
            return entry.Id;
        });
        return (id, name);
    }

    private static async Task<Guid> NewConversationAsync(HubConnection hub, Guid modelId)
    {
        var workspace = (await hub.InvokeAsync<IReadOnlyList<WorkspaceView>>(nameof(ChatHub.ListWorkspaces), Cancel))[0];
        return await hub.InvokeAsync<Guid>(nameof(ChatHub.CreateConversation), workspace.Id, modelId, null, Cancel);
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient probe)
    {
        using var response = await probe.GetAsync("/metrics", Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return new PrometheusText(text);
    }

    private static List<Activity> Snapshot(List<Activity> spans)
    {
        lock (spans)
        {
            // The exporter adds from the thread that ended a span: a copy taken meanwhile may hold a gap, which the next look fills.
            return [.. spans.Where(s => s is not null)];
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> find)
        where T : class
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (find() is { } found)
            {
                return found;
            }

            await Task.Delay(50, Cancel);
        }

        return find() ?? throw new Xunit.Sdk.XunitException("Not found within 10 seconds.");
    }
}
