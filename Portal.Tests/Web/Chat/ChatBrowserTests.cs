using Microsoft.Playwright;
using Portal.Domain.Chat;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Browser;
using Microsoft.EntityFrameworkCore;

namespace Portal.Tests.Web.Chat;

/// <summary>The chat page in headless Debian Chromium against the portal on Kestrel.</summary>
public sealed class ChatBrowserTests(ChromiumFixture chromium, ChatApp app) : IClassFixture<ChromiumFixture>, IClassFixture<ChatApp>
{
    private const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Chat_SendStopReload_ConversationShownAsStored()
    {
        var page = await SignedInPageAsync();
        await page.GotoAsync("chat");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");

        // The model picker offers the loaded long-answer test model first; the first message starts a conversation with it.
        await page.Locator("[data-testid=test-model-warning]").WaitForAsync();
        var input = page.Locator("textarea[data-testid=input]");
        await FillUntilEnabledAsync(page, input, "Tell me a long story about llamas.");
        await page.ClickAsync("[data-testid=send]");
        await PortalPages.FirstMessageSentAsync(page);

        var answer = page.Locator("[data-testid=message][data-role=assistant]").Last;
        await answer.Locator("[data-testid=state][data-state=streaming]").WaitForAsync();
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('[data-testid=message][data-role=assistant] [data-testid=content]')].some(e => e.textContent.length > 0)");
        await page.ClickAsync("[data-testid=stop]");
        await answer.Locator("[data-testid=state][data-state=stopped]").WaitForAsync();
        var shown = await answer.Locator("[data-testid=content]").InnerTextAsync();
        var conversationId = Guid.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..]);

        await page.ReloadAsync();

        var stored = await app.Factory.QueryAsync(db => db.Messages.Where(m => m.ConversationId == conversationId).ToListAsync(Cancel));
        var storedAnswer = Assert.Single(stored, m => m.Role == MessageRole.Assistant);
        Assert.Equal(MessageStatus.Stopped, storedAnswer.Status);
        Assert.NotEmpty(storedAnswer.Content);
        var reloaded = page.Locator("[data-testid=message][data-role=assistant]");
        await reloaded.Locator("[data-testid=state][data-state=stopped]").WaitForAsync();
        Assert.Equal(1, await reloaded.CountAsync());
        Assert.Equal(shown.Trim(), (await reloaded.Locator("[data-testid=content]").InnerTextAsync()).Trim());
        Assert.Equal("Tell me a long story about llamas.", (await page.Locator("[data-testid=message][data-role=user] [data-testid=content]").InnerTextAsync()).Trim());
        Assert.Contains("tokens", await reloaded.Locator("[data-testid=figures]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator($"[data-testid=conversation][data-id='{conversationId}']").CountAsync());
    }

    [Fact]
    public async Task Chat_HostileStoredAnswer_RendersInertInTheBrowser()
    {
        var page = await SignedInPageAsync();
        var member = await app.Factory.QueryAsync(db => db.PortalUsers.OrderByDescending(u => u.CreatedAt).FirstAsync(Cancel));
        var conversationId = await app.Factory.QueryAsync(async db =>
        {
            var membership = await db.Memberships.SingleAsync(m => m.UserId == member.Id, Cancel);
            var workspace = await db.Workspaces.FirstOrDefaultAsync(w => w.TenantId == membership.TenantId, Cancel)
                ?? db.Workspaces.Add(new Workspace { TenantId = membership.TenantId, Name = "General", CreatedAt = DateTimeOffset.UtcNow }).Entity;
            var conversation = new Conversation { TenantId = membership.TenantId, WorkspaceId = workspace.Id, OwnerUserId = member.Id, Title = "Hostile", CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow };
            conversation.Messages.Add(new Message { TenantId = membership.TenantId, Role = MessageRole.User, Content = "hi", CreatedAt = DateTimeOffset.UtcNow });
            conversation.Messages.Add(new Message
            {
                TenantId = membership.TenantId,
                Role = MessageRole.Assistant,
                Content = "<script>window.__xss = 'script'</script>\n\n<img src=x onerror=\"window.__xss = 'img'\">\n\n[link](javascript:window.__xss='link') <a href=\"javascript:void(0)\" onclick=\"window.__xss='a'\">raw</a>",
                CreatedAt = DateTimeOffset.UtcNow.AddSeconds(1),
            });
            db.Conversations.Add(conversation);
            await db.SaveChangesAsync(Cancel);
            return conversation.Id;
        });

        await page.GotoAsync($"chat/{conversationId}");
        var content = page.Locator("[data-testid=message][data-role=assistant] [data-testid=content]");
        await content.WaitForAsync();
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        foreach (var link in await content.Locator("a").AllAsync())
        {
            await link.ClickAsync(new LocatorClickOptions { Force = true });
        }

        Assert.Null(await page.EvaluateAsync<string?>("() => window.__xss ?? null"));
        Assert.Equal(0, await content.Locator("script, img, [onerror], [onclick], a[href^='javascript']").CountAsync());
        Assert.Contains("<script>", await content.InnerTextAsync(), StringComparison.Ordinal);
    }

    private async Task<IPage> SignedInPageAsync()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        await app.Factory.CreateLocalUserAsync(email, ChatApp.Password, TenantRoles.Member);
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("account/signin");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", ChatApp.Password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);
        return page;
    }

    /// <summary>Typing counts only once the circuit handles it: the send button comes alive then.</summary>
    private static async Task FillUntilEnabledAsync(IPage page, ILocator input, string text)
    {
        var send = page.Locator("[data-testid=send]");
        for (var attempt = 0; attempt < 60 && !await send.IsEnabledAsync(); attempt++)
        {
            await input.FillAsync("");
            await input.FillAsync(text);
            await page.WaitForTimeoutAsync(250);
        }

        Assert.True(await send.IsEnabledAsync(), "The send button never came alive.");
    }
}
