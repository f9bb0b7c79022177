using System.Collections.Concurrent;
using Microsoft.Playwright;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Browser;

/// <summary>The shell in a real browser: sign-in form, interactive circuit, navigation by role, local assets only.</summary>
public sealed class ShellBrowserTests(ChromiumFixture chromium, KestrelPortalFixture portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<KestrelPortalFixture>
{
    private const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement

    [Fact]
    public async Task BootstrapAdmin_SignsInWithTheForm_SeesAdminNavigationAndLoadsNothingFromElsewhere()
    {
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        var offSite = new ConcurrentBag<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(portal.BaseUrl, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                offSite.Add(request.Url);
            }
        };

        await page.GotoAsync("/admin");
        await page.WaitForURLAsync(url => url.Contains("/account/signin?returnUrl=%2Fadmin", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);
        await page.FillAsync("#email", PortalAppFactory.AdminEmail);
        await page.FillAsync("#password", PortalAppFactory.AdminPassword);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(portal.BaseUrl + "admin", ChromiumFixture.UrlCommitted);

        await page.Locator("h1, h4").Filter(new LocatorFilterOptions { HasText = "Administration" }).WaitForAsync();
        var navigation = await page.Locator("a.mud-nav-link").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Equal(["/", "/chat", "/reports", "/audit", "/admin"], navigation);
        Assert.Equal("Default", (await page.Locator("[data-testid=active-tenant]").InnerTextAsync()).Trim());

        // The theme toggle only works once the server circuit is live; its choice lands in localStorage.
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await ClickUntilStoredAsync(page);
        Assert.Equal("dark", await page.EvaluateAsync<string>("() => localStorage.getItem('portal.theme')"));

        Assert.Empty(offSite);
    }

    [Fact]
    public async Task TenantSwitcher_InTheBrowser_MovesToTheOtherTenant()
    {
        const string password = "Switcher-Pass-1234!";
        var user = await portal.App.CreateLocalUserAsync("switcher@portal.test", password, TenantRoles.Member, "Alpha Works");
        await portal.App.AddMembershipAsync(user.Id, "Beta Labs", TenantRoles.Member | TenantRoles.Manager);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/signin");
        await page.FillAsync("#email", "switcher@portal.test");
        await page.FillAsync("#password", password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.Locator("[data-testid=home-tenant]").Filter(new LocatorFilterOptions { HasText = "Alpha Works" }).WaitForAsync();
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");

        // The menu opens only once the circuit handles the click; retry the click until it does.
        var choice = page.Locator("button[data-tenant]").Filter(new LocatorFilterOptions { HasText = "Beta Labs" });
        for (var attempt = 0; attempt < 40 && !await choice.IsVisibleAsync(); attempt++)
        {
            await page.Locator("[data-testid=tenant-switcher] button").First.ClickAsync();
            await page.WaitForTimeoutAsync(250);
        }

        await choice.ClickAsync();

        await page.Locator("[data-testid=home-tenant]").Filter(new LocatorFilterOptions { HasText = "Beta Labs" }).WaitForAsync();
        var navigation = await page.Locator("a.mud-nav-link").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Equal(["/", "/chat", "/reports"], navigation);
    }

    [Fact]
    public async Task WrongPassword_InTheBrowser_ShowsTheReason()
    {
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/account/signin");
        await page.FillAsync("#email", PortalAppFactory.AdminEmail);
        await page.FillAsync("#password", "Definitely-Not-It-1!");
        await page.ClickAsync("form.signin-form button[type=submit]");

        var error = page.Locator("[data-testid=signin-error]");
        await error.WaitForAsync();
        Assert.Contains("The e-mail address or the password is not correct, or this account cannot sign in.", await error.InnerTextAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Prerendered HTML shows the button before the circuit attaches its handlers; a click that lands
    /// before then does nothing, so click until the circuit has stored the choice.
    /// </summary>
    private static async Task ClickUntilStoredAsync(IPage page)
    {
        var toggle = page.Locator("[data-testid=theme-toggle]");
        await toggle.ClickAsync();
        await page.WaitForFunctionAsync(
            "() => { if (localStorage.getItem('portal.theme') === 'dark') return true; document.querySelector('[data-testid=theme-toggle]').click(); return false; }",
            null,
            new PageWaitForFunctionOptions { PollingInterval = 500 });
    }
}
