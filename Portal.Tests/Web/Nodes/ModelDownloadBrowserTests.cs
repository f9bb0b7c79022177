using Microsoft.Playwright;
using Portal.Tests.Web.Browser;
using Portal.Web.Models;

namespace Portal.Tests.Web.Nodes;

/// <summary>The Nodes page says why a remote node does not serve a model it was offered (here: no room for the download).</summary>
public sealed class ModelDownloadBrowserTests(ChromiumFixture chromium, WorkerPortal portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<WorkerPortal>
{
    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task NodesPage_ShowsWhyARemoteNodeDoesNotServeAModel(int width, int height)
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        await using var remote = await RemoteWorker.StartAsync(portal, $"no-room-{width}", null, "--keep-free-bytes", "9000000000000000000");
        var reason = await remote.DeclinedAsync(portal, ModelCatalog.EngineId(entry.Id));

        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, portal.BaseAddress.ToString(), new ViewportSize { Width = width, Height = height });
        await PortalPages.OpenAsync(page, "/admin/nodes");
        var row = page.Locator("#nodes-table tr").Filter(new LocatorFilterOptions { HasText = remote.Name });
        var declined = row.Locator("[data-testid=node-declined]");
        await declined.WaitForAsync();

        Assert.Equal($"not serving {entry.Name}: {reason}", (await declined.InnerTextAsync()).Trim());
        Assert.True(await PortalPages.FitsWidthAsync(page), await PortalPages.OverflowingAsync(page));
        await PortalPages.ScreenshotAsync(page, "admin-nodes-declined");
        await page.Context.CloseAsync();
    }
}
