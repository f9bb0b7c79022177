using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.Web.Browser;

namespace Portal.Tests.Web.Reports;

/// <summary>The costs admin page (hardware profiles, node mapping) in headless Debian Chromium against the portal on Kestrel.</summary>
public sealed class CostsBrowserTests(ChromiumFixture chromium, KestrelPortalFixture portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<KestrelPortalFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PlatformAdmin_AddsAProfile_AndMapsANodeToIt()
    {
        var name = $"GPU server {Guid.NewGuid():N}"[..20];
        var node = $"gpu-{Guid.NewGuid():N}"[..12];
        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, portal.BaseUrl, PortalPages.Desktop);
        page.SetDefaultTimeout(60_000); // a guard against hanging on a loaded machine, not a measurement
        await PortalPages.OpenAsync(page, "admin/costs");
        await page.Locator("[data-testid=profile-editor]").WaitForAsync();

        var editor = page.Locator("[data-testid=profile-editor]");
        await editor.GetByLabel("Name").FillAsync(name);
        await editor.GetByLabel("Purchase price").FillAsync("30000");
        await editor.GetByLabel("Lifetime (years)").FillAsync("5");
        await editor.GetByLabel("Utilisation (0 to 1)").FillAsync("0.6");
        await editor.GetByLabel("Power draw (W)").FillAsync("1200");
        await editor.GetByLabel("Electricity per kWh").FillAsync("0.25");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();

        // 30,000 over 5 × 8,766 × 0.6 busy hours, plus 1.2 kW × 0.25: 1.4408 an hour.
        var row = page.Locator("[data-testid=hardware-profiles] tbody tr", new() { HasText = name });
        await row.WaitForAsync();
        Assert.StartsWith("1.4408", (await row.Locator("[data-testid=per-busy-hour]").InnerTextAsync()).Trim(), StringComparison.Ordinal);

        await page.GetByLabel("Node name (as in usage records)").FillAsync(node);
        await page.Locator(".node-map-profile").First.ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = name, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Map node" }).ClickAsync();
        await page.Locator("[data-testid=node-profiles] tbody tr", new() { HasText = node }).WaitForAsync();

        var mapped = await portal.App.QueryAsync(db => db.NodeHardwareProfiles.Where(n => n.Node == node)
            .Join(db.HardwareProfiles, n => n.HardwareProfileId, p => p.Id, (n, p) => p.Name).SingleAsync(Cancel));
        Assert.Equal(name, mapped);
        await PortalPages.ScreenshotAsync(page, "admin-costs-profiles");
        await page.SetViewportSizeAsync(PortalPages.Phone.Width, PortalPages.Phone.Height);
        await page.WaitForTimeoutAsync(300); // the layout settles after the resize
        await PortalPages.ScreenshotAsync(page, "admin-costs-profiles");
        Assert.True(await PortalPages.FitsWidthAsync(page), $"/admin/costs scrolls sideways on a phone: {await PortalPages.OverflowingAsync(page)}");
    }
}
