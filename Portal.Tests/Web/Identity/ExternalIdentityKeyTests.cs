using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Web;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using EntraAuth = Portal.Web.Identity.AuthenticationExtensions;

namespace Portal.Tests.Web.Identity;

/// <summary>
/// Finding 5: an external person is (scheme, issuer, subject). A second provider that names the same
/// object id, and even claims the same directory through its tenant claim, is someone else; an e-mail
/// claims a pre-registration only when the provider says it verified it.
/// </summary>
public sealed partial class ExternalIdentityKeyTests(ExternalIdentityKeyTests.Fixture fixture) : IClassFixture<ExternalIdentityKeyTests.Fixture>
{
    private const string Directory = "5e5e5e5e-0000-4000-8000-00000000d1d1";
    private const string SecondRealm = "realm-two";

    public sealed class Fixture : IAsyncLifetime
    {
        public LocalOidcAuthority Authority { get; private set; } = null!;

        public PortalAppFactory App { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Authority = await LocalOidcAuthority.StartAsync(TestContext.Current.CancellationToken);
            var authority = Authority;
            App = new PortalAppFactory(
                new Dictionary<string, string?>
                {
                    ["AzureAd:Instance"] = authority.BaseAddress.ToString(),
                    ["AzureAd:TenantId"] = "organizations",
                    ["AzureAd:ClientId"] = "portal-web-client",
                    ["AzureAd:CallbackPath"] = "/signin-oidc",
                    ["Oidc:Authority"] = authority.IssuerFor(SecondRealm),
                    ["Oidc:ClientId"] = "portal-generic-client",
                    ["Oidc:TenantClaim"] = "tid",
                },
                services =>
                {
                    services.Configure<OpenIdConnectOptions>(EntraAuth.EntraScheme, o => o.BackchannelHttpHandler = authority.CreateTrustingHandler());
                    services.Configure<OpenIdConnectOptions>(EntraAuth.OidcScheme, o => o.BackchannelHttpHandler = authority.CreateTrustingHandler());
                    services.AddHttpClient("local-authority").ConfigurePrimaryHttpMessageHandler(authority.CreateTrustingHandler);
                    services.Configure<AadIssuerValidatorOptions>(o => o.HttpClientName = "local-authority");
                });
            App.StartServer();
            await App.MapExternalTenantAsync(Directory, "Directory tenant");

            // The generic provider's organisations are keys under its own issuer, never a bare directory id.
            await App.MapExternalTenantAsync($"{authority.IssuerFor(SecondRealm)}#{Directory}", "Second provider's tenant");
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Authority.DisposeAsync();
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SameObjectIdFromSecondIssuer_IsADifferentPerson()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(Directory, objectId, "Entra Person"));
        using (await SignInThroughAuthorityAsync(NewBrowser(), EntraAuth.EntraScheme))
        {
        }

        // Another issuer, the same object id, and a tenant claim naming the first directory.
        fixture.Authority.SignInAs(new LocalOidcSubject(SecondRealm, objectId, "Impostor") { TenantIdClaim = Directory });
        var impostor = NewBrowser();
        using var done = await SignInThroughAuthorityAsync(impostor, EntraAuth.OidcScheme);

        Assert.Equal("/", done.Headers.Location?.OriginalString);
        var home = await impostor.GetPageAsync("/");
        Assert.Contains("Second provider's tenant", home, StringComparison.Ordinal);
        Assert.DoesNotContain("Entra Person", home, StringComparison.Ordinal);
        var people = await fixture.App.QueryAsync(db => db.PortalUsers.Where(u => u.ExternalObjectId == objectId).OrderBy(u => u.CreatedAt).ToListAsync(Ct));
        Assert.Equal(["Entra Person", "Impostor"], people.Select(p => p.DisplayName));
    }

    [Fact]
    public async Task UnverifiedEmail_DoesNotClaimPreRegistration()
    {
        var email = $"{Guid.NewGuid():N}@example.test";
        var (preRegistered, tenant) = await PreRegisterAsync(email);
        fixture.Authority.SignInAs(new LocalOidcSubject(Directory, Guid.NewGuid().ToString(), "Claims Someone Else") { PreferredUserName = email, Email = email });

        using (await SignInThroughAuthorityAsync(NewBrowser(), EntraAuth.EntraScheme))
        {
        }

        var stillWaiting = await fixture.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.Id == preRegistered, Ct));
        Assert.Null(stillWaiting.ExternalObjectId);
        Assert.False(await fixture.App.QueryAsync(db => db.Memberships.AnyAsync(m => m.TenantId == tenant && m.UserId != preRegistered, Ct)));
    }

    [Fact]
    public async Task VerifiedEmail_ClaimsPreRegistration()
    {
        var email = $"{Guid.NewGuid():N}@example.test";
        var (preRegistered, tenant) = await PreRegisterAsync(email);
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(Directory, objectId, "Pre-registered Person") { Email = email, EmailVerified = true });
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, EntraAuth.EntraScheme);

        Assert.Equal("/", done.Headers.Location?.OriginalString);
        var claimed = await fixture.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.Id == preRegistered, Ct));
        Assert.Equal(objectId, claimed.ExternalObjectId);
        Assert.True(await fixture.App.QueryAsync(db => db.Memberships.AnyAsync(m => m.TenantId == tenant && m.UserId == preRegistered, Ct)));
    }

    /// <summary>A person of <see cref="Directory"/> pre-registered by e-mail, with a membership in a tenant of their own.</summary>
    private async Task<(Guid UserId, Guid TenantId)> PreRegisterAsync(string email)
    {
        var tenant = new Tenant { Name = $"Pre {email}", Slug = $"pre-{Guid.NewGuid():N}", CreatedAt = DateTimeOffset.UtcNow };
        var user = new User { DisplayName = "Waiting", Email = email, ExternalTenantId = Directory, CreatedAt = DateTimeOffset.UtcNow };
        await fixture.App.QueryAsync(async db =>
        {
            db.Tenants.Add(tenant);
            db.PortalUsers.Add(user);
            db.Memberships.Add(new Membership { TenantId = tenant.Id, UserId = user.Id, Roles = TenantRoles.Member, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync(Ct);
        });
        return (user.Id, tenant.Id);
    }

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
