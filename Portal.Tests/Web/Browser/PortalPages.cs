using Microsoft.Playwright;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// What the layout and accessibility tests share: the two viewports people use (a laptop and a phone),
/// signing in through the form, and screenshots written to the test output for a person to look at.
/// </summary>
public static class PortalPages
{
    public const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement

    public static readonly ViewportSize Desktop = new() { Width = 1400, Height = 900 };

    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>The folder screenshots go to: <c>screenshots/</c> beside the test assembly.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static async Task<IPage> SignedInAsync(IBrowser browser, string baseUrl, ViewportSize viewport, string email, string password, bool dark = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = viewport,
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
        });
        context.SetDefaultTimeout(Timeout);
        if (dark)
        {
            // The portal remembers the theme in localStorage; set it before any page runs.
            await context.AddInitScriptAsync("localStorage.setItem('portal.theme', 'dark')");
        }

        var page = await context.NewPageAsync();
        await page.GotoAsync("account/signin");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);
        return page;
    }

    public static Task<IPage> SignedInAdminAsync(IBrowser browser, string baseUrl, ViewportSize viewport, bool dark = false) =>
        SignedInAsync(browser, baseUrl, viewport, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword, dark);

    /// <summary>
    /// Goes to <paramref name="path"/> and waits until the circuit is live (the layout marks the document
    /// once its first interactive render ran, so clicks are handled) and the page has settled.
    /// </summary>
    public static async Task OpenAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator("html[data-circuit=live]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    }

    /// <summary>
    /// Waits until a new chat's first message made its conversation (the URL becomes /chat/{id}); when the
    /// page shows a refusal instead, fails with the words the person reads rather than timing out silently.
    /// </summary>
    public static async Task FirstMessageSentAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => location.pathname.includes('/chat/') || document.querySelector('[data-testid=notice]') !== null");
        var notice = page.Locator("[data-testid=notice]");
        if (await notice.CountAsync() > 0)
        {
            Assert.Fail($"The first message was not sent: {(await notice.InnerTextAsync()).Trim()}");
        }
    }

    /// <summary>Writes a full-page screenshot to the test output and names it in the test's attachments.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var size = page.ViewportSize!;
        var path = Path.Combine(ScreenshotFolder, $"{name}-{size.Width}x{size.Height}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        TestContext.Current.AddAttachment(Path.GetFileNameWithoutExtension(path), path);
        return path;
    }

    /// <summary>True when nothing makes the document scroll sideways.</summary>
    public static Task<bool> FitsWidthAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    /// <summary>The elements wider than the viewport, for a failure message that says what overflows.</summary>
    public static Task<string> OverflowingAsync(IPage page) => page.EvaluateAsync<string>(
        """
        () => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 8)
            .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.'))
            .join(', ')
        """);

    /// <summary>True when the element is visible and lies wholly inside the viewport.</summary>
    public static async Task<bool> InViewportAsync(ILocator locator)
    {
        if (!await locator.IsVisibleAsync())
        {
            return false;
        }

        return await locator.EvaluateAsync<bool>(
            "e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight; }");
    }
}
