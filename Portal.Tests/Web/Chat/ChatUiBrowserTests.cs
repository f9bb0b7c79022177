using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Domain.Chat;
using Portal.Domain.Models;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Browser;

namespace Portal.Tests.Web.Chat;

/// <summary>
/// The chat as a person uses it, in Debian's Chromium: keys of the composer (Enter, Shift+Enter, an IME
/// composition), Stop while streaming, copying code, following the stream, editing an earlier message.
/// </summary>
public sealed class ChatUiBrowserTests(ChromiumFixture chromium, ChatApp app) : IClassFixture<ChromiumFixture>, IClassFixture<ChatApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Composer_ShiftEnterAddsLine_ImeEnterIsLeftAlone_EnterSends_StopStops()
    {
        var (page, _) = await NewMemberPageAsync();
        await PortalPages.OpenAsync(page, "chat");
        var input = page.Locator("textarea[data-testid=input]");
        await input.And(page.Locator("[data-keys=ready]")).WaitForAsync();

        await input.ClickAsync();
        await page.Keyboard.TypeAsync("A story about llamas,");
        await page.Keyboard.PressAsync("Shift+Enter");
        await page.Keyboard.TypeAsync("told slowly.");
        Assert.Equal("A story about llamas,\ntold slowly.", await input.InputValueAsync());

        // Enter that ends an IME composition picks the candidate; it must not send.
        await input.EvaluateAsync("e => e.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', isComposing: true, bubbles: true, cancelable: true }))");
        await page.WaitForTimeoutAsync(500);
        Assert.Equal(0, await page.Locator("[data-testid=message]").CountAsync());
        Assert.Contains("/chat", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("/chat/", page.Url, StringComparison.Ordinal);

        await page.Keyboard.PressAsync("Enter");

        var question = page.Locator("[data-testid=message][data-role=user] [data-testid=content]");
        await question.WaitForAsync();
        Assert.Equal("A story about llamas,\ntold slowly.", await question.InnerTextAsync());
        await page.WaitForURLAsync(url => url.Contains("/chat/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);
        Assert.Equal("", await input.InputValueAsync());

        // While the answer streams, Send is Stop; Stop ends it and Send comes back.
        var answer = page.Locator("[data-testid=message][data-role=assistant]").Last;
        await answer.Locator("[data-testid=state][data-state=streaming]").WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=send]").CountAsync());
        await page.ClickAsync("[data-testid=stop]");
        await answer.Locator("[data-testid=state][data-state=stopped]").WaitForAsync();
        await page.Locator("[data-testid=send]").WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=stop]").CountAsync());

        // The conversation took its title from the first message.
        Assert.Equal("A story about llamas, told slowly.", (await page.Locator("[data-testid=conversation-heading]").InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task CodeBlock_HighlightedWithACopyButton_CopiesExactlyTheCode()
    {
        var (page, email) = await NewMemberPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var id = await ChatSeed.ConversationAsync(app, email, "Code", ChatSeed.LongMarkdownAnswer);
        await PortalPages.OpenAsync(page, $"chat/{id}");

        var block = page.Locator("[data-testid=message][data-role=assistant] .code-block");
        await block.WaitForAsync();
        Assert.True(await block.Locator("span.keyword").CountAsync() > 0, "The C# block has no highlighted keyword.");
        Assert.Equal("csharp", (await block.Locator(".code-language").InnerTextAsync()).Trim());

        await block.Locator("button.code-copy").ClickAsync();
        await block.Locator("button.code-copy[data-state=copied]").WaitForAsync();
        await block.ScrollIntoViewIfNeededAsync();
        await PortalPages.ScreenshotAsync(page, "chat-code-copied");
        Assert.Equal(ChatSeed.CodeSample, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));

        // The whole answer copies as its Markdown.
        await page.ClickAsync("[data-testid=message][data-role=assistant] [data-testid=copy]");
        await page.WaitForFunctionAsync("async expected => (await navigator.clipboard.readText()) === expected", ChatSeed.LongMarkdownAnswer);
    }

    [Fact]
    public async Task Stream_FollowedUntilThePersonScrollsUp_ThenJumpToLatestTakesThemBack()
    {
        var (page, email) = await NewMemberPageAsync();
        var id = await ChatSeed.ConversationAsync(app, email, "Long", ChatSeed.LongMarkdownAnswer);
        await PortalPages.OpenAsync(page, $"chat/{id}");
        var input = page.Locator("textarea[data-testid=input]");
        await input.And(page.Locator("[data-keys=ready]")).WaitForAsync();
        const string atEnd = "() => { const s = document.querySelector('[data-testid=messages-scroller]'); return s.scrollHeight - s.scrollTop - s.clientHeight < 48; }";
        await page.WaitForFunctionAsync(atEnd); // a conversation opens at its end

        await input.FillAsync("Tell me more.");
        await input.PressAsync("Enter");
        var answer = page.Locator("[data-testid=message][data-role=assistant]").Last;
        await answer.Locator("[data-testid=state][data-state=streaming]").WaitForAsync();

        await page.EvaluateAsync("() => document.querySelector('[data-testid=messages-scroller]').scrollTo({ top: 0 })");
        var jump = page.Locator("[data-testid=jump-latest]");
        await jump.WaitForAsync(); // shown once new text arrives below the view
        await jump.ClickAsync();
        await page.WaitForFunctionAsync(atEnd);
        Assert.False(await jump.IsVisibleAsync());

        await page.ClickAsync("[data-testid=stop]");
        await answer.Locator("[data-testid=state][data-state=stopped]").WaitForAsync();
    }

    [Fact]
    public async Task EditEarlierMessage_SentAgain_ReplacesItAndEveryTurnAfterIt()
    {
        var (page, email) = await NewMemberPageAsync();
        var tinyModel = await app.Factory.QueryAsync(db => db.ModelEntries.Where(m => m.Id != app.LongAnswerModelId).Select(m => m.Id).SingleAsync(Cancel));
        var id = await ChatSeed.ConversationAsync(app, email, "Two turns", tinyModel, ["First question", "First answer", "Second question", "Second answer"]);
        await PortalPages.OpenAsync(page, $"chat/{id}");
        await page.Locator("[data-testid=message]").Nth(3).WaitForAsync();

        await page.Locator("[data-testid=message][data-role=user]").First.Locator("[data-testid=edit]").ClickAsync();

        Assert.Equal("Sending replaces this message and every turn after it with a new answer.", (await page.Locator("[data-testid=edit-note]").InnerTextAsync()).Trim());
        await PortalPages.ScreenshotAsync(page, "chat-edit");
        await page.FillAsync("[data-testid=edit-text]", "Edited question");
        await page.ClickAsync("[data-testid=edit-send]");

        // As stated: one turn is left, the edited question with a new answer.
        await page.WaitForFunctionAsync(
            "() => document.querySelectorAll('[data-testid=message]').length === 2 && document.querySelector('[data-testid=message][data-role=assistant] [data-testid=figures]') !== null");
        var shown = await page.Locator("[data-testid=message] [data-testid=content]").AllInnerTextsAsync();
        Assert.Equal(2, shown.Count);
        Assert.Equal("Edited question", shown[0].Trim());
        Assert.NotEqual("First answer", shown[1].Trim());

        var stored = await app.Factory.QueryAsync(db => db.Messages.Where(m => m.ConversationId == id).OrderBy(m => m.CreatedAt).ToListAsync(Cancel));
        Assert.Equal([MessageRole.User, MessageRole.Assistant], stored.Select(m => m.Role));
        Assert.Equal("Edited question", stored[0].Content);
        Assert.DoesNotContain(stored, m => m.Content is "First question" or "First answer" or "Second question" or "Second answer");

        await page.ReloadAsync();
        await page.Locator("[data-testid=message]").First.WaitForAsync();
        Assert.Equal(2, await page.Locator("[data-testid=message]").CountAsync());
    }

    [Fact]
    public async Task EditEarlierMessage_RefusedWhenSent_SaysWhyAndLosesNoTurn()
    {
        // A tenant of its own, so that taking its grant away touches no other test.
        var email = $"{Guid.NewGuid():N}@portal.test";
        var user = await app.Factory.CreateLocalUserAsync(email, ChatApp.Password, TenantRoles.Member, $"Edit refusal {Guid.NewGuid():N}");
        var tinyModel = await app.Factory.QueryAsync(db => db.ModelEntries.Where(m => m.Id != app.LongAnswerModelId).Select(m => m.Id).SingleAsync(Cancel));
        var tenantId = await app.Factory.QueryAsync(db => db.Memberships.Where(m => m.UserId == user.Id).Select(m => m.TenantId).SingleAsync(Cancel));
        await app.Factory.QueryAsync(db =>
        {
            db.ModelGrants.Add(new ModelGrant { TenantId = tenantId, ModelEntryId = tinyModel, GrantedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync(Cancel);
        });
        string[] turns = ["First question", "First answer", "Second question", "Second answer"];
        var id = await ChatSeed.ConversationAsync(app, email, "Keep me", tinyModel, turns);
        var page = await PortalPages.SignedInAsync(chromium.Browser, app.BaseAddress.ToString(), PortalPages.Desktop, email, ChatApp.Password);
        await PortalPages.OpenAsync(page, $"chat/{id}");
        await page.Locator("[data-testid=message]").Nth(3).WaitForAsync();

        // The administrator takes the model away while the page is open; then the person edits.
        await app.Factory.QueryAsync(async db =>
        {
            db.ModelGrants.RemoveRange(await db.ModelGrants.Where(g => g.TenantId == tenantId).ToListAsync(Cancel));
            return await db.SaveChangesAsync(Cancel);
        });
        await page.Locator("[data-testid=message][data-role=user]").First.Locator("[data-testid=edit]").ClickAsync();
        await page.FillAsync("[data-testid=edit-text]", "Edited question");
        await page.ClickAsync("[data-testid=edit-send]");

        var notice = page.Locator("[data-testid=notice]");
        await notice.WaitForAsync();
        Assert.Contains("no longer available to your tenant", await notice.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(turns, (await page.Locator("[data-testid=message] [data-testid=content]").AllInnerTextsAsync()).Select(t => t.Trim()));
        var stored = await app.Factory.QueryAsync(db => db.Messages.Where(m => m.ConversationId == id).OrderBy(m => m.CreatedAt).Select(m => m.Content).ToListAsync(Cancel));
        Assert.Equal(turns, stored);
    }

    [Fact]
    public async Task NoModelGranted_ComposerSaysWhyNothingCanBeSent()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        await app.Factory.CreateLocalUserAsync(email, ChatApp.Password, TenantRoles.Member, $"No models {Guid.NewGuid():N}");
        var page = await PortalPages.SignedInAsync(chromium.Browser, app.BaseAddress.ToString(), PortalPages.Desktop, email, ChatApp.Password);
        await PortalPages.OpenAsync(page, "chat");

        var reason = page.Locator("[data-testid=blocked-reason]");
        await reason.WaitForAsync();
        Assert.Equal("No model is granted to your tenant yet. Ask an administrator to grant one.", (await reason.InnerTextAsync()).Trim());
        Assert.True(await page.Locator("textarea[data-testid=input]").IsDisabledAsync());
        Assert.True(await page.Locator("[data-testid=send]").IsDisabledAsync());
    }

    [Fact]
    public async Task LongestMessage_InWideCharacters_ReachesTheServer_AndTheBoxTakesNoMore()
    {
        // 32,000 CJK characters are 96 KB of UTF-8: more than one message of a default Blazor circuit may carry.
        // Too long for the tiny test model's context, so the person must read that, with their text still in the box.
        var (page, _) = await NewMemberPageAsync();
        await PortalPages.OpenAsync(page, "chat");
        var input = page.Locator("textarea[data-testid=input]");
        await input.And(page.Locator("[data-keys=ready]")).WaitForAsync();
        var longest = string.Concat(Enumerable.Repeat("語", ChatApp.MaxMessageLength));

        await input.FillAsync(longest + "語");
        Assert.Equal(ChatApp.MaxMessageLength, (await input.InputValueAsync()).Length);
        await page.Locator("[data-testid=length]", new PageLocatorOptions { HasText = $"{ChatApp.MaxMessageLength:N0} / {ChatApp.MaxMessageLength:N0}" }).WaitForAsync();
        await PortalPages.ScreenshotAsync(page, "chat-composer-full");
        await page.ClickAsync("[data-testid=send]");

        var notice = page.Locator("[data-testid=notice]");
        await notice.WaitForAsync();
        Assert.StartsWith("Your message is too long for this model: it takes ", (await notice.InnerTextAsync()).Trim(), StringComparison.Ordinal);
        Assert.Equal(longest, await input.InputValueAsync());
    }

    private async Task<(IPage Page, string Email)> NewMemberPageAsync()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        await app.Factory.CreateLocalUserAsync(email, ChatApp.Password, TenantRoles.Member);
        var page = await PortalPages.SignedInAsync(chromium.Browser, app.BaseAddress.ToString(), PortalPages.Desktop, email, ChatApp.Password);
        return (page, email);
    }
}
