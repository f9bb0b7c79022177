using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Browser;
using Portal.Web.Audit;

namespace Portal.Tests.Web.Audit;

/// <summary>
/// An auditor on the Audit page in Debian's Chromium: sees their tenant's entries only, verifies the
/// chain (intact, while another tenant's broken chain stays out of view), then finds a row edited in
/// the database named. Set PORTAL_SCREENSHOTS to a folder to keep screenshots of the page.
/// </summary>
public sealed class AuditBrowserTests(ChromiumFixture chromium, KestrelPortalFixture portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<KestrelPortalFixture>
{
    private const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement
    private const string Password = "Auditor-Pass-1234!";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AuditPage_Auditor_VerifiesOwnChain_ThenSeesTheEditedRowNamed()
    {
        var auditor = await portal.App.CreateLocalUserAsync("auditor@browser.test", Password, TenantRoles.Auditor, "Audited");
        var other = await portal.App.AddMembershipAsync(await OtherPersonAsync(), "Elsewhere", TenantRoles.Member);
        var tenantId = await portal.App.QueryAsync(db => db.Tenants.Where(t => t.Name == "Audited").Select(t => t.Id).SingleAsync(Ct));
        var ownRows = new List<long>();
        foreach (var (action, target) in new[] { ("member.added", "membership:1"), ("policy.saved", "policy:v2"), ("model.grants_changed", "model:tiny"), ("member.roles_changed", "membership:1") })
        {
            ownRows.Add(await AppendAsync(tenantId, auditor.Id, action, target));
        }

        var elsewhere = await AppendAsync(other.Id, null, "secret.elsewhere", "doc:1");
        await AppendAsync(other.Id, null, "secret.elsewhere", "doc:2");
        await RawSqlAsync($"""DELETE FROM "AuditEvents" WHERE "Id" = {elsewhere}""");

        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = portal.BaseUrl,
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/signin");
        await page.FillAsync("#email", "auditor@browser.test");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/signin", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);

        await page.GotoAsync("/audit");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await page.Locator(".audit-action-chip").GetByText("policy.saved").WaitForAsync();
        Assert.Equal(0, await page.GetByText("secret.elsewhere").CountAsync());

        var result = page.Locator(".audit-verify-result");
        await ClickUntilAsync(page, ".audit-verify", result);
        Assert.Equal(1, await result.CountAsync());
        Assert.Contains("Audited chain: intact.", await result.InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "audit-1400x900.png");
        await page.SetViewportSizeAsync(390, 844);
        await ScreenshotAsync(page, "audit-390x844.png");
        await page.SetViewportSizeAsync(1400, 900);

        await RawSqlAsync($"""UPDATE "AuditEvents" SET "Target" = 'policy:v1' WHERE "Id" = {ownRows[1]}""");
        await page.ClickAsync(".audit-verify");
        var broken = page.Locator(".audit-verify-result").Filter(new LocatorFilterOptions { HasText = "broken" });
        await broken.WaitForAsync();
        var text = await broken.InnerTextAsync();
        Assert.Contains($"Audited chain: broken (changed, row {ownRows[1]}).", text, StringComparison.Ordinal);
        Assert.Contains($"Row {ownRows[1]} (policy.saved, position 2) was changed", text, StringComparison.Ordinal);
        await ScreenshotAsync(page, "audit-broken-1400x900.png");
    }

    private async Task<Guid> OtherPersonAsync() =>
        (await portal.App.CreateLocalUserAsync($"someone-{Guid.NewGuid():N}@browser.test", Password, TenantRoles.Member, "Someone's")).Id;

    /// <summary>The circuit starts after the prerendered page shows: click until the button has been heard.</summary>
    private static async Task ClickUntilAsync(IPage page, string button, ILocator appears)
    {
        for (var attempt = 0; attempt < 40 && await appears.CountAsync() == 0; attempt++)
        {
            await page.ClickAsync(button);
            await page.WaitForTimeoutAsync(250);
        }

        await appears.First.WaitForAsync();
    }

    private static async Task ScreenshotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("PORTAL_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
        }
    }

    private async Task<long> AppendAsync(Guid tenantId, Guid? actor, string action, string target)
    {
        await using var scope = portal.App.Services.CreateAsyncScope();
        var entry = scope.ServiceProvider.GetRequiredService<AuditLog>().Add(
            scope.ServiceProvider.GetRequiredService<PortalDbContext>(),
            new AuditEntry(action, actor, target, After: new { Note = $"{action} on {target}" }, TenantId: tenantId));
        await scope.ServiceProvider.GetRequiredService<PortalDbContext>().SaveChangesAsync(Ct);
        return entry.Id;
    }

    private Task<int> RawSqlAsync(string sql) => portal.App.QueryAsync(db => db.Database.ExecuteSqlRawAsync(sql, Ct));
}
