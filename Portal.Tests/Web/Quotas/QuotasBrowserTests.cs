using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Browser;

namespace Portal.Tests.Web.Quotas;

/// <summary>The quota admin page in headless Debian Chromium against the portal on Kestrel.</summary>
public sealed class QuotasBrowserTests(ChromiumFixture chromium, KestrelPortalFixture portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<KestrelPortalFixture>
{
    private const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement
    private const string Password = "Quotas-Pass-1234!";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static string ScreenshotFolder { get; } = Path.Combine(Path.GetTempPath(), "portal-screenshots", "quotas");

    [Fact]
    public async Task TenantAdmin_SetsTheDailyLimit_ItIsStoredAndShown()
    {
        var tenantName = $"Quotas {Guid.NewGuid():N}"[..20];
        var admin = await portal.App.CreateLocalUserAsync($"qadmin-{Guid.NewGuid():N}@portal.test", Password, TenantRoles.Member | TenantRoles.TenantAdmin, tenantName);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/signin");
        await page.FillAsync("#email", admin.Email!);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);

        await page.GotoAsync("/admin/quotas");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.Locator("[data-testid=member-quotas]").WaitForAsync();
        var tenantId = await portal.App.QueryAsync(db => db.Tenants.Where(t => t.Name == tenantName).Select(t => t.Id).SingleAsync(Cancel));
        for (var attempt = 0; attempt < 40; attempt++)
        {
            await page.FillAsync("[data-testid=tenant-quota] [data-testid=tokens-per-day] input", "50000");
            await page.FillAsync("[data-testid=time-zone] input", "Europe/Berlin");
            await page.ClickAsync("[data-testid=save-tenant-quota]");
            await page.WaitForTimeoutAsync(500);
            if (await portal.App.QueryAsync(db => db.Quotas.AnyAsync(q => q.TenantId == tenantId && q.UserId == null && q.TokensPerDay == 50_000, Cancel)))
            {
                break;
            }
        }

        var stored = await portal.App.QueryAsync(db => db.Quotas.SingleAsync(q => q.TenantId == tenantId && q.UserId == null, Cancel));
        Assert.Equal((50_000L, "Europe/Berlin"), (stored.TokensPerDay, stored.TimeZoneId));
        await page.Locator("text=Tenant limits saved.").WaitForAsync();
        Assert.Contains(admin.DisplayName, await page.Locator("[data-testid=member-quotas]").InnerTextAsync(), StringComparison.Ordinal);

        Directory.CreateDirectory(ScreenshotFolder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "quotas-1400x900.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, "quotas-390x844.png"), FullPage = true });
    }
}
