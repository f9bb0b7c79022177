using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Tests.Web.Browser;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// The Nodes page in Chromium, on a portal in worker mode: the local worker of the test model is listed;
/// a platform admin creates a node key (shown once, stored hashed) and revokes it.
/// </summary>
public sealed class NodesPageBrowserTests(ChromiumFixture chromium, WorkerPortal portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<WorkerPortal>
{
    [Theory]
    [InlineData(1400, 900)]
    [InlineData(390, 844)]
    public async Task NodesPage_ListsTheLocalWorker_CreatesAKeyShownOnce_AndRevokesIt(int width, int height)
    {
        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, portal.BaseAddress.ToString(), new ViewportSize { Width = width, Height = height });
        await PortalPages.OpenAsync(page, "/admin/nodes");

        var workerRow = page.Locator("#nodes-table [data-testid=node-name]").Filter(new LocatorFilterOptions { HasText = "local-" });
        await workerRow.First.WaitForAsync();
        Assert.Contains("local worker", await page.Locator("#nodes-table").InnerTextAsync(), StringComparison.Ordinal);

        var name = $"box-{width}";
        await page.FillAsync("#node-key-name", name);
        await page.ClickAsync("#node-key-create");
        var shown = page.Locator("[data-testid=node-key-value]");
        await shown.WaitForAsync();
        var key = (await shown.InnerTextAsync()).Trim();
        Assert.StartsWith("pnk_", key, StringComparison.Ordinal);
        var stored = await portal.Factory.QueryAsync(db => db.NodeKeys.SingleAsync(k => k.Name == name));
        Assert.NotEqual(key, stored.KeyHash);
        Assert.True(await PortalPages.FitsWidthAsync(page), await PortalPages.OverflowingAsync(page));
        await PortalPages.ScreenshotAsync(page, "admin-nodes");

        var row = page.Locator("#node-keys-table tr").Filter(new LocatorFilterOptions { HasText = name });
        await row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Revoke" }).ClickAsync();
        await row.Filter(new LocatorFilterOptions { HasText = "revoked" }).WaitForAsync();
        Assert.Equal(0, await shown.CountAsync()); // never shown again
        Assert.NotNull((await portal.Factory.QueryAsync(db => db.NodeKeys.SingleAsync(k => k.Name == name))).RevokedAt);

        // Both actions are in the platform's audit log, by the admin who took them, and the key itself is not.
        var adminId = await portal.Factory.QueryAsync(db => db.Users.Where(u => u.Email == PortalAppFactory.AdminEmail).Select(u => u.Id).SingleAsync());
        var audited = await portal.Factory.QueryAsync(db => db.AuditEvents.Where(a => a.Target == $"node_key:{stored.Id}").OrderBy(a => a.Id).ToListAsync());
        Assert.Equal([("node_key.created", adminId, null), ("node_key.revoked", adminId, null)], audited.Select(a => (a.Action, a.ActorUserId, a.TenantId)));
        Assert.All(audited, a => Assert.DoesNotContain(key, (a.Before ?? "") + (a.After ?? ""), StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }
}
