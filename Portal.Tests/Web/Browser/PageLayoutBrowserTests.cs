using Microsoft.Playwright;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// Every page a person works in, at a laptop's 1400×900 and a phone's 390×844: nothing scrolls sideways,
/// the chat's main controls are on screen, and a screenshot of each page lands in the test output
/// (<c>bin/.../screenshots</c>) for a person to look at.
/// </summary>
public sealed class PageLayoutBrowserTests(ChromiumFixture chromium, ChatApp app) : IClassFixture<ChromiumFixture>, IClassFixture<ChatApp>
{
    public static TheoryData<string> Viewports => ["desktop", "phone"];

    private static ViewportSize Size(string name) => name == "phone" ? PortalPages.Phone : PortalPages.Desktop;

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task ChatPage_FitsTheViewportWithComposerNewChatAndModelPickerOnScreen(string viewport)
    {
        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, app.BaseAddress.ToString(), Size(viewport));
        await PortalPages.OpenAsync(page, "chat");

        await PortalPages.ScreenshotAsync(page, "chat-new");
        await AssertFitsAsync(page, "chat");
        Assert.True(await PortalPages.InViewportAsync(page.Locator("[data-testid=input]")), "The composer is off screen.");
        Assert.True(await PortalPages.InViewportAsync(page.Locator("[data-testid=new-chat]:visible").First), "New chat is off screen.");
        Assert.True(await PortalPages.InViewportAsync(page.Locator("[data-testid=model-picker]")), "The model picker is off screen.");

        // A conversation with a long answer: the composer stays pinned at the bottom, in view.
        var id = await ChatSeed.ConversationAsync(app, PortalAppFactory.AdminEmail, "A conversation with code", ChatSeed.LongMarkdownAnswer);
        await PortalPages.OpenAsync(page, $"chat/{id}");
        await page.Locator("[data-testid=message][data-role=assistant]").WaitForAsync();
        await PortalPages.ScreenshotAsync(page, "chat-conversation");
        await AssertFitsAsync(page, "chat conversation");
        Assert.True(await PortalPages.InViewportAsync(page.Locator("[data-testid=input]")), "The composer is off screen in a long conversation.");
        Assert.True(await PortalPages.InViewportAsync(page.Locator("[data-testid=model-picker]")), "The model picker is off screen in a conversation.");

        if (viewport == "phone")
        {
            // Under 900 px the conversations live in a drawer that a button opens.
            Assert.False(await page.Locator("[data-testid=chat-sidebar]").IsVisibleAsync(), "The sidebar should be a closed drawer on a phone.");
            await page.ClickAsync("[data-testid=open-conversations]");
            await page.Locator("[data-testid=chat-sidebar]").WaitForAsync();
            await PortalPages.ScreenshotAsync(page, "chat-drawer");
            await AssertFitsAsync(page, "chat drawer");
            Assert.True(await PortalPages.InViewportAsync(page.Locator("[data-testid=chat-sidebar] [data-testid=new-chat]")), "New chat is off screen in the drawer.");
        }
    }

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task AdminAndReportPages_FitTheViewport(string viewport)
    {
        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, app.BaseAddress.ToString(), Size(viewport));
        foreach (var (path, name) in new[] { ("admin", "admin"), ("admin/members", "admin-members"), ("admin/tenants", "admin-tenants"), ("admin/models", "admin-models"), ("admin/policies", "admin-policies"), ("admin/quotas", "admin-quotas"), ("admin/legal-hold", "admin-legal-hold"), ("admin/costs", "admin-costs"), ("audit", "audit"), ("reports", "reports") })
        {
            await PortalPages.OpenAsync(page, path);
            await page.Locator("h1, h2, h3, h4").First.WaitForAsync();
            await PortalPages.ScreenshotAsync(page, name);
            await AssertFitsAsync(page, path);
        }

        // A model's details and settings open in a side panel that fits the screen too.
        await PortalPages.OpenAsync(page, "admin/models");
        await page.Locator(".model-details").First.ClickAsync();
        await page.Locator("[data-testid=model-facts]").WaitForAsync();
        await PortalPages.ScreenshotAsync(page, "admin-models-details");
        await AssertFitsAsync(page, "model details panel");
        Assert.True(await PortalPages.InViewportAsync(page.Locator("[data-testid=side-panel-close]")), "The panel's close button is off screen.");
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("[data-testid=side-panel]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
    }

    private static async Task AssertFitsAsync(IPage page, string what) =>
        Assert.True(await PortalPages.FitsWidthAsync(page), $"{what} scrolls sideways; too wide: {await PortalPages.OverflowingAsync(page)}");
}
