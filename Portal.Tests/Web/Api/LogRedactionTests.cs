using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenAI.Chat;
using Portal.Domain.Chat;
using Portal.Domain.Models;
using Portal.Domain.Tenants;
using Portal.Inference.Gguf;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Api;
using Portal.Web.Chat;
using Portal.Web.Models;

namespace Portal.Tests.Web.Api;

/// <summary>
/// Every log line of a full chat-hub answer and a full API answer (streamed and not), at Debug for the
/// portal, Information for ASP.NET Core and EF Core and Trace for SignalR: the prompts, the answers and the API key appear in none of them.
/// </summary>
public sealed class LogRedactionTests(LogRedactionTests.LoggedPortal portal) : IClassFixture<LogRedactionTests.LoggedPortal>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ChatAndApiRuns_LogNoPromptAnswerOrKey()
    {
        var (member, tenantId, conversationId) = await portal.NewMemberAsync();
        const string HubPrompt = "Tell me about quetzalmarker llamas.";
        const string ApiPrompt = "Describe zanzibarmarker alpacas.";

        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(portal.BaseAddress, ChatHub.Path), HttpTransportType.WebSockets, o => o.Cookies = member.Cookies)
            .Build();
        await hub.StartAsync(Cancel);
        var recorder = new AnswerRecorder(hub);
        await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, HubPrompt, Cancel);
        var hubAnswer = (await recorder.Completed).Content;

        CreatedApiKey key;
        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            key = await scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>()
                .CreateAsync(new AdminActor(member.User.Id, false, tenantId, true), new ApiKeyDraft("logged", member.User.Id, null, []), Cancel);
        }

        var model = await portal.Factory.QueryAsync(db => db.ModelEntries.Where(m => m.Name.StartsWith(TestModels.TinyLlamaName)).Select(m => m.Name).SingleAsync(Cancel));
        var chat = new OpenAI.OpenAIClient(new System.ClientModel.ApiKeyCredential(key.Secret), new OpenAI.OpenAIClientOptions { Endpoint = new Uri(portal.BaseAddress, "/v1") }).GetChatClient(model);
        var apiAnswer = Assert.Single((await chat.CompleteChatAsync([new UserChatMessage(ApiPrompt)], null, Cancel)).Value.Content).Text;
        var streamed = new System.Text.StringBuilder();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(ApiPrompt + " Again.")], null, Cancel))
        {
            streamed.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        // A failed key is logged by the authentication handler: its secret must not be.
        using var wrong = new HttpClient { BaseAddress = portal.BaseAddress };
        wrong.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Secret + "x");
        using var refused = await wrong.GetAsync(new Uri("/v1/models", UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var logs = portal.Logs.ToArray();
        Assert.True(logs.Length > 20, "too few log lines were captured to judge");
        Assert.Contains(logs, l => l.Contains(conversationId.ToString(), StringComparison.Ordinal)); // the answer's log line was captured
        var secrets = new[] { "quetzalmarker", "zanzibarmarker", key.Secret[(ApiKeySecrets.Prefix.Length + ApiKeySecrets.KeyIdLength + 1)..] }
            .Concat(new[] { hubAnswer, apiAnswer, streamed.ToString() }.Select(a => a.Trim()).Where(a => a.Length >= 8));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>The portal with the tiny model, on loopback, with every log entry captured as text.</summary>
    public sealed class LoggedPortal : IAsyncLifetime
    {
        public LoggedPortal()
        {
            Factory = new PortalAppFactory(
                new Dictionary<string, string?>
                {
                    ["Portal:Chat:Temperature"] = "0",
                    ["Inference:Threads"] = "1",
                    ["Logging:LogLevel:Default"] = "Debug",
                    ["Logging:LogLevel:Microsoft"] = "Information",
                    ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
                    ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
                    // SignalR writes hub arguments (prompts) at Debug and payloads at Trace: the portal caps those categories.
                    ["Logging:LogLevel:Microsoft.AspNetCore.SignalR"] = "Trace",
                    ["Logging:LogLevel:Microsoft.AspNetCore.Http.Connections"] = "Trace",
                },
                services => services.AddSingleton<ILoggerProvider>(new CapturingLoggerProvider(Logs)));
        }

        public ConcurrentQueue<string> Logs { get; } = new();

        public PortalAppFactory Factory { get; }

        public Uri BaseAddress { get; private set; } = default!;

        public async ValueTask InitializeAsync()
        {
            Factory.UseKestrel(0);
            Factory.StartServer();
            var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
            await Factory.Services.GetRequiredService<ModelCatalogStartup>().Ready;
        }

        /// <summary>A member of a new tenant (the tiny model granted), signed in, with a conversation.</summary>
        public async Task<(SignedInUser Member, Guid TenantId, Guid ConversationId)> NewMemberAsync()
        {
            var email = $"{Guid.NewGuid():N}@portal.test";
            var tenantName = $"Logs {Guid.NewGuid():N}"[..18];
            var user = await Factory.CreateLocalUserAsync(email, ChatApp.Password, TenantRoles.Member, tenantName);
            var cookies = new CookieContainer();
            var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
            using var signIn = await new BrowserLikeClient(http).SignInAsync(email, ChatApp.Password);
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
            var (tenantId, conversationId) = await Factory.QueryAsync(async db =>
            {
                var tenant = await db.Tenants.SingleAsync(t => t.Name == tenantName, Cancel);
                var tiny = await db.ModelEntries.SingleAsync(m => m.Name.StartsWith(TestModels.TinyLlamaName), Cancel);
                db.ModelGrants.Add(new ModelGrant { TenantId = tenant.Id, ModelEntryId = tiny.Id, GrantedAt = DateTimeOffset.UtcNow });
                var workspace = new Workspace { TenantId = tenant.Id, Name = "General", CreatedAt = DateTimeOffset.UtcNow };
                var conversation = new Conversation
                {
                    TenantId = tenant.Id, WorkspaceId = workspace.Id, OwnerUserId = user.Id, Title = "Logged",
                    ModelEntryId = tiny.Id, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
                };
                db.Workspaces.Add(workspace);
                db.Conversations.Add(conversation);
                await db.SaveChangesAsync(Cancel);
                return (tenant.Id, conversation.Id);
            });
            return (new SignedInUser(user, cookies, http, null!), tenantId, conversationId);
        }

        public ValueTask DisposeAsync() => Factory.DisposeAsync();
    }

    /// <summary>Keeps each entry's message, its structured values and its exception, as any log sink would receive them.</summary>
    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, logs);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            logs.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            logs.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {exception}");
        }
    }
}
