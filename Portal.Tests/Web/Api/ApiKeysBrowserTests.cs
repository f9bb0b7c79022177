using System.Net;
using Deque.AxeCore.Playwright;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Portal.Tests.Web.Browser;
using Portal.Tests.Web.Chat;

namespace Portal.Tests.Web.Api;

/// <summary>
/// The keys page in Chromium at a laptop's and a phone's size: a tenant admin creates a key (shown
/// once), the key works on /v1, the admin revokes it and it is refused; the page fits both screens and
/// axe-core finds nothing serious.
/// </summary>
public sealed class ApiKeysBrowserTests(ChromiumFixture chromium, ChatApp app) : IClassFixture<ChromiumFixture>, IClassFixture<ChatApp>
{
    public static TheoryData<string> Viewports => ["desktop", "phone"];

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task Admin_CreatesAKeyShownOnce_ItWorks_ThenRevokesIt(string viewport)
    {
        var size = viewport == "phone" ? PortalPages.Phone : PortalPages.Desktop;
        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, app.BaseAddress.ToString(), size);
        await PortalPages.OpenAsync(page, "admin");
        await page.ClickAsync("a[href='/admin/api-keys']");
        await page.Locator("[data-testid=keys-table]").WaitForAsync();

        var name = $"ci {viewport} {Guid.NewGuid():N}"[..20];
        await page.Locator("input[data-testid=key-name], [data-testid=key-name] input").First.FillAsync(name);
        await page.ClickAsync("[data-testid=create-key]");
        var secret = (await page.Locator("[data-testid=key-secret]").InnerTextAsync()).Trim();
        Assert.StartsWith("pk-", secret, StringComparison.Ordinal);
        var row = page.Locator("[data-testid=keys-table] tr", new PageLocatorOptions { HasText = name });
        await Assertions.Expect(row.Locator("[data-testid=key-state]")).ToHaveTextAsync("Active");
        await PortalPages.ScreenshotAsync(page, "admin-api-keys-created");
        // The "created" snackbar fades in and out (mid-fade it fails contrast); the page is judged without it.
        await page.Locator(".mud-snackbar").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        var violations = (await page.RunAxe()).Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help} at {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}").ToList();
        Assert.True(violations.Count == 0, "axe-core:\n" + string.Join("\n", violations));
        Assert.True(await PortalPages.FitsWidthAsync(page), $"the keys page scrolls sideways: {await PortalPages.OverflowingAsync(page)}");

        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        using (var works = await http.GetAsync(new Uri("/v1/models", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }

        await row.Locator("[data-testid=revoke-key]").ClickAsync();
        await Assertions.Expect(row.Locator("[data-testid=key-state]")).ToHaveTextAsync("Revoked");
        await page.ReloadAsync();
        await page.Locator("[data-testid=keys-table]").WaitForAsync();
        Assert.Equal(0, await page.Locator("[data-testid=key-secret]").CountAsync()); // shown once: not after a reload
        await PortalPages.ScreenshotAsync(page, "admin-api-keys");
        Assert.True(await PortalPages.FitsWidthAsync(page), $"the keys page scrolls sideways: {await PortalPages.OverflowingAsync(page)}");

        using var refused = await http.GetAsync(new Uri("/v1/models", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
