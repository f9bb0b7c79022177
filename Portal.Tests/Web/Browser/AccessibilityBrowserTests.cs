using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// axe-core (Deque.AxeCore.Playwright) on the pages people use, in the light and the dark theme: no
/// serious or critical violation. A failure lists each rule with the elements it found.
/// </summary>
public sealed class AccessibilityBrowserTests(ChromiumFixture chromium, ChatApp app) : IClassFixture<ChromiumFixture>, IClassFixture<ChatApp>
{
    public static TheoryData<bool> Themes => [false, true];

    [Theory]
    [MemberData(nameof(Themes))]
    public async Task SignInPage_NoSeriousOrCriticalViolation(bool dark)
    {
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("account/signin");
        await page.Locator("#email").WaitForAsync();

        await AssertNoSeriousViolationAsync(page, "sign-in", dark);
    }

    [Theory]
    [MemberData(nameof(Themes))]
    public async Task ChatAdminAndReportPages_NoSeriousOrCriticalViolation(bool dark)
    {
        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, app.BaseAddress.ToString(), PortalPages.Desktop, dark);
        var conversation = await ChatSeed.ConversationAsync(app, PortalAppFactory.AdminEmail, "Accessible code", ChatSeed.LongMarkdownAnswer);
        var failures = new List<string>();
        foreach (var path in new[] { "chat", $"chat/{conversation}", "admin", "admin/members", "admin/tenants", "admin/models", "reports" })
        {
            await PortalPages.OpenAsync(page, path);
            if (dark)
            {
                await page.Locator(".portal-dark").WaitForAsync(); // the circuit applied the remembered theme
            }

            failures.AddRange(await SeriousViolationsAsync(page, path));
            await PortalPages.ScreenshotAsync(page, $"axe-{(dark ? "dark" : "light")}-{(path.StartsWith("chat/", StringComparison.Ordinal) ? "chat-conversation" : path.Replace('/', '-'))}");
        }

        Assert.True(failures.Count == 0, $"axe-core ({(dark ? "dark" : "light")} theme):\n" + string.Join("\n", failures));
    }

    private static async Task AssertNoSeriousViolationAsync(IPage page, string name, bool dark)
    {
        var failures = await SeriousViolationsAsync(page, name);
        Assert.True(failures.Count == 0, $"axe-core ({(dark ? "dark" : "light")} theme):\n" + string.Join("\n", failures));
    }

    private static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{name}: {v.Id} ({v.Impact}): {v.Help} at {string.Join(" | ", v.Nodes.Take(4).Select(n => n.Html))}")
            .ToList();
    }
}
