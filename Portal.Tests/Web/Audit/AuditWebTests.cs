using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Domain.Audit;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Audit;

namespace Portal.Tests.Web.Audit;

/// <summary>
/// The real portal: sign-ins land in the audit log, and the Audit page and its CSV export show a
/// reader exactly their tenant (a platform administrator everything), whatever the URL asks for.
/// </summary>
public sealed class AuditWebTests(AuditWebTests.Fixture fixture) : IClassFixture<AuditWebTests.Fixture>
{
    private const string Password = "Audit-Pass-1234!";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Fixture : IAsyncLifetime
    {
        public PortalAppFactory App { get; } = new();

        public ValueTask InitializeAsync()
        {
            App.StartServer();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task SignIn_SucceededRefusedAndThrottled_EachRecordedInTheAccountsTenant()
    {
        var user = await fixture.App.CreateLocalUserAsync("signer@portal.test", Password, TenantRoles.Member, "Signers");
        var browser = NewBrowser();

        using (await browser.SignInAsync("signer@portal.test", Password))
        {
        }

        // The throttle allows five failures per address and source; the sixth attempt is turned away unchecked.
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            using var wrong = await browser.SignInAsync("Signer@Portal.test", $"Wrong-Password-{attempt}!");
        }

        var entries = await fixture.App.QueryAsync(db => db.AuditEvents
            .Where(e => e.ActorUserId == user.Id || e.Target == "account:signer@portal.test")
            .OrderBy(e => e.Id)
            .ToListAsync(Ct));
        var tenantId = await fixture.App.QueryAsync(db => db.Tenants.Where(t => t.Name == "Signers").Select(t => t.Id).SingleAsync(Ct));

        Assert.Equal(
            [SignInAudit.Succeeded, SignInAudit.Refused, SignInAudit.Refused, SignInAudit.Refused, SignInAudit.Refused, SignInAudit.Refused, SignInAudit.Throttled],
            entries.Select(e => e.Action));
        Assert.Equal(tenantId, entries[0].TenantId);
        Assert.Equal($"user:{user.Id}", entries[0].Target);
        Assert.Contains("\"method\":\"local\"", entries[0].After, StringComparison.Ordinal);
        Assert.All(entries, e => Assert.Equal(tenantId, e.TenantId));
        Assert.Contains("InvalidCredentials", entries[1].After, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Password", string.Join(" ", entries.Select(e => e.After)), StringComparison.Ordinal);
        Assert.True((await VerifyAsync(tenantId)).IsIntact);
        Assert.True((await VerifyAsync(AuditChains.Platform)).IsIntact);
    }

    [Fact]
    public async Task SignIn_UnknownEmail_RefusalRecordedInThePlatformChain()
    {
        var browser = NewBrowser();

        using (await browser.SignInAsync("Nobody-Here@portal.test", Password))
        {
        }

        var entry = await fixture.App.QueryAsync(db => db.AuditEvents.SingleAsync(e => e.Target == "account:nobody-here@portal.test", Ct));
        Assert.Equal(SignInAudit.Refused, entry.Action);
        Assert.Null(entry.TenantId);
        Assert.Equal(AuditChains.Platform, entry.ChainId);
    }

    [Fact]
    public async Task Export_TenantAdmin_GetsOwnTenantOnly_EvenWhenAskingForAnother()
    {
        var (tenantA, tenantB) = await SeedTwoTenantsAsync("export");
        await fixture.App.CreateLocalUserAsync("admin-a@export.test", Password, TenantRoles.TenantAdmin, tenantA.Name);
        var browser = NewBrowser();
        using (await browser.SignInAsync("admin-a@export.test", Password))
        {
        }

        var own = await ExportAsync(browser, "");
        var asksForB = await ExportAsync(browser, $"?chain={tenantB.Id}");
        var platform = await ExportAsync(browser, "?chain=platform");

        Assert.Contains("secret.a", own, StringComparison.Ordinal);
        Assert.DoesNotContain("secret.b", own, StringComparison.Ordinal);
        Assert.DoesNotContain(tenantB.Id.ToString(), own, StringComparison.Ordinal);
        Assert.Equal(own, asksForB);
        Assert.Equal(own, platform);
        Assert.All(DataLines(own), line => Assert.Contains(tenantA.Id.ToString(), line, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AuditPage_TenantAdmin_ShowsOwnTenantsEntriesOnly()
    {
        var (tenantA, _) = await SeedTwoTenantsAsync("page");
        await fixture.App.CreateLocalUserAsync("admin-a@page.test", Password, TenantRoles.TenantAdmin, tenantA.Name);
        var browser = NewBrowser();
        using (await browser.SignInAsync("admin-a@page.test", Password))
        {
        }

        var html = await browser.GetPageAsync("/audit");

        Assert.Contains("secret.a", html, StringComparison.Ordinal);
        Assert.DoesNotContain("secret.b", html, StringComparison.Ordinal);
        Assert.Contains($"Tenant {tenantA.Name}", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditPage_PlatformAdmin_ShowsEveryTenantWithItsName()
    {
        var (tenantA, tenantB) = await SeedTwoTenantsAsync("everything");
        var browser = NewBrowser();
        using (await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword))
        {
        }

        var html = await browser.GetPageAsync("/audit");

        Assert.Contains("All tenants (platform administrator)", html, StringComparison.Ordinal);
        Assert.Contains("secret.a", html, StringComparison.Ordinal);
        Assert.Contains("secret.b", html, StringComparison.Ordinal);
        Assert.Contains(tenantA.Name, html, StringComparison.Ordinal);
        Assert.Contains(tenantB.Name, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_PlatformAdmin_FilteredByActionAndChain_MatchesThePageFilter()
    {
        var (tenantA, tenantB) = await SeedTwoTenantsAsync("platform");
        var browser = NewBrowser();
        using (await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword))
        {
        }

        var both = await ExportAsync(browser, "?action=secret.*");
        var onlyB = await ExportAsync(browser, $"?action=secret.*&chain={tenantB.Id}");
        var exact = await ExportAsync(browser, $"?action=secret.b&target=doc:platform");

        Assert.Contains("secret.a", both, StringComparison.Ordinal);
        Assert.Contains("secret.b", both, StringComparison.Ordinal);
        Assert.DoesNotContain("signin.", both, StringComparison.Ordinal);
        Assert.DoesNotContain("secret.a", onlyB, StringComparison.Ordinal);
        Assert.Contains("secret.b", onlyB, StringComparison.Ordinal);
        Assert.All(DataLines(exact), line => Assert.Contains(",secret.b,doc:platform", line, StringComparison.Ordinal));
        Assert.NotEmpty(DataLines(exact));
        Assert.DoesNotContain(tenantA.Id.ToString(), onlyB, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_FormulaInATarget_IsEscapedForSpreadsheets()
    {
        var tenant = await fixture.App.AddMembershipAsync(
            (await fixture.App.CreateLocalUserAsync("formula@portal.test", Password, TenantRoles.Auditor, "Formula")).Id, "Formula2", TenantRoles.Auditor);
        await AppendAsync(tenant.Id, "doc.shared", "=HYPERLINK(\"http://evil.test\")");
        await AppendAsync((await fixture.App.QueryAsync(db => db.Tenants.SingleAsync(t => t.Name == "Formula", Ct))).Id, "doc.shared", "=HYPERLINK(\"http://evil.test\")");
        var browser = NewBrowser();
        using (await browser.SignInAsync("formula@portal.test", Password))
        {
        }

        var csv = await ExportAsync(browser, "?action=doc.shared");

        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.test\"\")\"", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_UnreadableTime_RefusedWithTheParameterNamed()
    {
        var browser = NewBrowser();
        using (await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword))
        {
        }

        using var response = await browser.GetAsync("/audit/export.csv?from=yesterday");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'yesterday' in 'from' is not a date and time", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuditPageAndExport_MemberWithoutAuditRole_Refused()
    {
        await fixture.App.CreateLocalUserAsync("plain@portal.test", Password, TenantRoles.Member, "Plain");
        var browser = NewBrowser();
        using (await browser.SignInAsync("plain@portal.test", Password))
        {
        }

        using var page = await browser.GetAsync("/audit");
        using var export = await browser.GetAsync("/audit/export.csv");

        Assert.NotEqual(HttpStatusCode.OK, page.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, export.StatusCode);
    }

    private async Task<(Tenant A, Tenant B)> SeedTwoTenantsAsync(string name)
    {
        var admin = await fixture.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail, Ct));
        var a = await fixture.App.AddMembershipAsync(admin.Id, $"{name} A", TenantRoles.Member);
        var b = await fixture.App.AddMembershipAsync(admin.Id, $"{name} B", TenantRoles.Member);
        await AppendAsync(a.Id, "secret.a", $"doc:{name}");
        await AppendAsync(b.Id, "secret.b", $"doc:{name}");
        return (a, b);
    }

    private async Task AppendAsync(Guid tenantId, string action, string target)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var log = scope.ServiceProvider.GetRequiredService<AuditLog>();
        await log.RecordAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(), new AuditEntry(action, null, target, TenantId: tenantId), Ct);
    }

    private async Task<AuditChainReport> VerifyAsync(Guid chainId)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AuditChainVerifier>()
            .VerifyAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(), chainId, Ct);
    }

    private static async Task<string> ExportAsync(BrowserLikeClient browser, string query)
    {
        using var response = await browser.GetAsync("/audit/export.csv" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var csv = await response.Content.ReadAsStringAsync(Ct);
        Assert.StartsWith("Id,OccurredAtUtc,TenantId,Tenant,ActorUserId,Actor,Action,Target,Before,After,Sequence,PreviousHash,Hash", csv, StringComparison.Ordinal);
        return csv;
    }

    private static string[] DataLines(string csv) =>
        csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();

    private BrowserLikeClient NewBrowser() => new(fixture.App.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
    }));
}
