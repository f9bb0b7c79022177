using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Portal.Tests.Web.Hosting;
using Portal.Tests.Web.Identity;
using Portal.Web.Audit;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Audit;

/// <summary>External sign-ins through the real OpenID Connect flow (<see cref="LocalOidcAuthority"/>) land in the audit log.</summary>
public sealed partial class ExternalSignInAuditTests(ExternalSignInTests.Fixture fixture) : IClassFixture<ExternalSignInTests.Fixture>
{
    private const string HomeDirectory = "4f1c2d3e-0000-4000-8000-00000000c0de";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EntraSignIn_Succeeded_RecordedInTheTenantsChainWithThePerson()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, objectId, "Audited Ada") { Roles = ["Portal.Member"] });

        using (await SignInThroughAuthorityAsync(NewBrowser(), AuthenticationExtensions.EntraScheme))
        {
        }

        var user = await fixture.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.ExternalObjectId == objectId, Ct));
        var entry = await fixture.App.QueryAsync(db => db.AuditEvents.SingleAsync(e => e.ActorUserId == user.Id, Ct));
        Assert.Equal(SignInAudit.Succeeded, entry.Action);
        Assert.Equal(fixture.Contoso.Id, entry.TenantId);
        Assert.Contains($"\"method\":\"{AuthenticationExtensions.EntraScheme}\"", entry.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EntraSignIn_UnmappedDirectory_RefusalRecordedWithItsReason()
    {
        fixture.Authority.SignInAs(new LocalOidcSubject(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), "Mallory"));
        var before = await RefusalsAsync();

        using (await SignInThroughAuthorityAsync(NewBrowser(), AuthenticationExtensions.EntraScheme))
        {
        }

        var refusal = Assert.Single((await RefusalsAsync()).ExceptBy(before.Select(e => e.Id), e => e.Id));
        Assert.Null(refusal.TenantId);
        Assert.Equal($"provider:{AuthenticationExtensions.EntraScheme}", refusal.Target);
        Assert.Contains($"\"reason\":\"{SignInRefusal.UnmappedTenant}\"", refusal.After, StringComparison.Ordinal);
    }

    private Task<List<Portal.Domain.Audit.AuditEvent>> RefusalsAsync() =>
        fixture.App.QueryAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Action == SignInAudit.Refused).ToListAsync(Ct));

    /// <summary>What a browser does: challenge at the portal, the authority's form_post page, the post back.</summary>
    private async Task<HttpResponseMessage> SignInThroughAuthorityAsync(BrowserLikeClient browser, string scheme)
    {
        using var challenge = await browser.GetAsync($"/account/signin/{scheme}?returnUrl=%2F");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        using var authorityClient = new HttpClient(fixture.Authority.CreateTrustingHandler());
        var formPost = await authorityClient.GetStringAsync(challenge.Headers.Location!, Ct);
        var action = new Uri(WebUtility.HtmlDecode(FormAction().Match(formPost).Groups[1].Value));
        var fields = HiddenInput().Matches(formPost).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        return await browser.PostAsync(action.PathAndQuery, new FormUrlEncodedContent(fields));
    }

    private BrowserLikeClient NewBrowser() => new(fixture.App.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    }));

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\">")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"/>")]
    private static partial Regex HiddenInput();
}
