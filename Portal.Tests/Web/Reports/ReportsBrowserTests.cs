using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MiniExcelLibs;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;
using Portal.Tests.Web.Browser;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Reports;

/// <summary>The Reports page in headless Debian Chromium against the portal on Kestrel.</summary>
public sealed class ReportsBrowserTests(ChromiumFixture chromium, KestrelPortalFixture portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<KestrelPortalFixture>
{
    private const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement
    private const string Password = "Reports-Pass-1234!";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Where the screenshots go, to be looked at (1400x900 and 390x844).</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(Path.GetTempPath(), "portal-screenshots", "reports");

    [Fact]
    public async Task Manager_SeesTheChart_AndDownloadsTheCsvWithThePagesNumbers()
    {
        var tenantName = $"Reports {Guid.NewGuid():N}"[..20];
        var manager = await portal.App.CreateLocalUserAsync($"manager-{Guid.NewGuid():N}@portal.test", Password, TenantRoles.Member | TenantRoles.Manager, tenantName);
        var tenantId = await portal.App.QueryAsync(db => db.Tenants.Where(t => t.Name == tenantName).Select(t => t.Id).SingleAsync(Cancel));
        var today = DateTimeOffset.UtcNow;
        var usage = portal.App.Services.GetRequiredService<UsageAccounting>();
        var model = await portal.App.QueryAsync(db => db.ModelEntries.Select(m => (Guid?)m.Id).FirstOrDefaultAsync(Cancel)) ?? Guid.NewGuid();
        for (var i = 0; i < 12; i++)
        {
            await usage.RecordAsync(
                new UsageRecord
                {
                    TenantId = tenantId, UserId = manager.Id, ModelEntryId = model, PromptTokens = 100 + i, CompletionTokens = 200 + (10 * i),
                    Duration = TimeSpan.FromSeconds(3), TimeToFirstToken = TimeSpan.FromMilliseconds(80), TokensPerSecond = 40, Outcome = GenerationOutcome.Completed,
                    CreatedAt = today.AddDays(-(i % 4)),
                },
                Cancel);
        }

        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/signin");
        await page.FillAsync("#email", manager.Email!);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);

        await page.GotoAsync("/reports");
        await page.Locator("[data-testid=by-day-chart] svg").First.WaitForAsync();
        Assert.Equal("12", (await page.Locator("[data-testid=figure-requests] [data-testid=value]").InnerTextAsync()).Trim());
        Assert.Equal(4, await page.Locator("[data-testid=table-days] tbody tr").CountAsync());
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        await ScreenshotsAsync(page, "manager");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=export-days]"));
        var csv = await File.ReadAllTextAsync(await download.PathAsync(), Cancel);
        using var reader = CsvReader.FromText(csv, null);
        var fromCsv = new List<(string, string, string, string)>();
        while (reader.Read())
        {
            fromCsv.Add((reader[0].ToString(), reader[1].ToString(), reader[2].ToString(), reader[3].ToString()));
        }

        var rows = page.Locator("[data-testid=table-days] tbody tr");
        var onPage = new List<(string, string, string, string)>();
        for (var i = 0; i < await rows.CountAsync(); i++)
        {
            var row = rows.Nth(i);
            onPage.Add(((await row.Locator("[data-testid=label]").InnerTextAsync()).Trim(), (await row.Locator("[data-testid=requests]").InnerTextAsync()).Trim(),
                (await row.Locator("[data-testid=prompt-tokens]").InnerTextAsync()).Trim(), (await row.Locator("[data-testid=completion-tokens]").InnerTextAsync()).Trim()));
        }

        Assert.Equal(onPage, fromCsv);
        Assert.Equal(12, fromCsv.Sum(r => int.Parse(r.Item2, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task Manager_DownloadsTheXlsxWithThePagesNumbers_AndNothingOfAnotherTenant()
    {
        var tenantName = $"Xlsx {Guid.NewGuid():N}"[..20];
        var otherName = $"Other {Guid.NewGuid():N}"[..20];
        var manager = await portal.App.CreateLocalUserAsync($"xlsx-{Guid.NewGuid():N}@portal.test", Password, TenantRoles.Member | TenantRoles.Manager, tenantName);
        var other = await portal.App.CreateLocalUserAsync($"other-{Guid.NewGuid():N}@portal.test", Password, TenantRoles.Member | TenantRoles.Manager, otherName);
        var tenantId = await portal.App.QueryAsync(db => db.Tenants.Where(t => t.Name == tenantName).Select(t => t.Id).SingleAsync(Cancel));
        var otherId = await portal.App.QueryAsync(db => db.Tenants.Where(t => t.Name == otherName).Select(t => t.Id).SingleAsync(Cancel));
        var usage = portal.App.Services.GetRequiredService<UsageAccounting>();
        var model = await portal.App.QueryAsync(db => db.ModelEntries.Select(m => (Guid?)m.Id).FirstOrDefaultAsync(Cancel)) ?? Guid.NewGuid();
        for (var i = 0; i < 6; i++)
        {
            foreach (var (tenant, person) in new[] { (tenantId, manager.Id), (otherId, other.Id) })
            {
                await usage.RecordAsync(
                    new UsageRecord
                    {
                        TenantId = tenant, UserId = person, ModelEntryId = model, PromptTokens = 100 + i, CompletionTokens = 200 + (10 * i),
                        Duration = TimeSpan.FromSeconds(2 + i), TimeToFirstToken = TimeSpan.FromMilliseconds(80), TokensPerSecond = 40, Outcome = GenerationOutcome.Completed,
                        CreatedAt = DateTimeOffset.UtcNow.AddDays(-(i % 3)),
                    },
                    Cancel);
            }
        }

        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/signin");
        await page.FillAsync("#email", manager.Email!);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);
        await page.GotoAsync("/reports");
        await page.Locator("[data-testid=by-day-chart] svg").First.WaitForAsync();
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=export-days-xlsx]"));
        var fromXlsx = MiniExcel.Query(await download.PathAsync(), useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object>>()
            .Select(r => ((string)r["Label"], ((double)r["Requests"]).ToString(CultureInfo.InvariantCulture), ((double)r["PromptTokens"]).ToString(CultureInfo.InvariantCulture),
                ((double)r["CompletionTokens"]).ToString(CultureInfo.InvariantCulture), ((decimal)(double)r[$"OnPremCost USD"]).ToString(ReportCsv.MoneyFormat, CultureInfo.InvariantCulture)))
            .ToList();
        var rows = page.Locator("[data-testid=table-days] tbody tr");
        var onPage = new List<(string, string, string, string, string)>();
        for (var i = 0; i < await rows.CountAsync(); i++)
        {
            var row = rows.Nth(i);
            onPage.Add(((await row.Locator("[data-testid=label]").InnerTextAsync()).Trim(), (await row.Locator("[data-testid=requests]").InnerTextAsync()).Trim(),
                (await row.Locator("[data-testid=prompt-tokens]").InnerTextAsync()).Trim(), (await row.Locator("[data-testid=completion-tokens]").InnerTextAsync()).Trim(),
                (await row.Locator("[data-testid=on-prem-cost]").InnerTextAsync()).Trim()));
        }

        Assert.Equal(onPage, fromXlsx);
        Assert.Equal(3, fromXlsx.Count);
        await PortalPages.ScreenshotAsync(page, "reports-xlsx");
        await page.SetViewportSizeAsync(PortalPages.Phone.Width, PortalPages.Phone.Height);
        await page.WaitForTimeoutAsync(300); // the layout settles after the resize
        await PortalPages.ScreenshotAsync(page, "reports-xlsx");

        // Asking for every tenant as a manager still gives their own tenant only; the tenant comparison is not theirs to export.
        var period = $"from={DateTime.UtcNow.AddDays(-10):yyyy-MM-dd}&to={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}";
        var people = await page.APIRequest.GetAsync($"/reports/export/people.xlsx?{period}&all=true");
        var tenants = await page.APIRequest.GetAsync($"/reports/export/tenants.xlsx?{period}&all=true");
        Assert.Equal(200, people.Status);
        var exported = MiniExcel.Query(new MemoryStream(await people.BodyAsync()), useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.Equal([manager.DisplayName], exported.Select(r => (string)r["Label"]));
        Assert.Equal(6, exported.Sum(r => (double)r["Requests"]));
        Assert.Equal(404, tenants.Status);
    }

    [Fact]
    public async Task Member_WithoutManagerRole_CannotExportTheirTenantsReport()
    {
        var tenantName = $"NoReports {Guid.NewGuid():N}"[..20];
        var member = await portal.App.CreateLocalUserAsync($"member-{Guid.NewGuid():N}@portal.test", Password, TenantRoles.Member, tenantName);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/signin");
        await page.FillAsync("#email", member.Email!);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);

        var export = await page.APIRequest.GetAsync("/reports/export/days.csv?from=2026-01-01&to=2026-12-31");
        var xlsx = await page.APIRequest.GetAsync("/reports/export/days.xlsx?from=2026-01-01&to=2026-12-31");

        Assert.Equal(404, export.Status);
        Assert.Equal(404, xlsx.Status);
    }

    private static async Task ScreenshotsAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.SetViewportSizeAsync(1400, 900);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}-1400x900.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForTimeoutAsync(300); // the layout settles after the resize
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}-390x844.png"), FullPage = true });
        await page.SetViewportSizeAsync(1400, 900);
    }
}
