using Microsoft.Playwright;

namespace Portal.Tests.Web.Browser;

/// <summary>
/// One headless Debian Chromium (<c>/usr/bin/chromium</c>, never a downloaded one) driven by Playwright,
/// shared by a test class. Where Chromium is not installed the tests skip and say why.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>
    /// Waits for a URL to be reached, not for its "load" event: Blazor's enhanced navigation after a form
    /// post can change the URL without a full load, and waiting for one then times out. Callers wait for
    /// the content they need next.
    /// </summary>
    public static PageWaitForURLOptions UrlCommitted { get; } = new() { WaitUntil = WaitUntilState.Commit };

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The browser, or a skipped test (with the reason) where Chromium is missing.</summary>
    public IBrowser Browser
    {
        get
        {
            Assert.SkipWhen(_browser is null, $"{ChromiumPath} is not installed; the test script installs Debian's chromium package.");
            return _browser!;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
