using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Identity.Web;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Identity;

/// <summary>
/// The whole OpenID Connect code flow, for real: the portal's Entra ID configuration (Microsoft.Identity.Web)
/// and its generic provider both point at <see cref="LocalOidcAuthority"/> on loopback HTTPS; a
/// cookie-keeping client plays the browser between the two.
/// </summary>
public sealed partial class ExternalSignInTests(ExternalSignInTests.Fixture fixture) : IClassFixture<ExternalSignInTests.Fixture>
{
    private const string ClientId = "portal-web-client";
    private const string HomeDirectory = "4f1c2d3e-0000-4000-8000-00000000c0de";
    private const string GenericRealm = "realm-one";
    private const string GroupDirectory = "7a7a7a7a-0000-4000-8000-0000000f00d5";
    private const string ResearchGroup = "c0ffee00-0000-4000-8000-000000000042";
    private const string BootstrapObjectId = "b0075742-0000-4000-8000-0000000000ad";

    public sealed class Fixture : IAsyncLifetime
    {
        public LocalOidcAuthority Authority { get; private set; } = null!;

        public PortalAppFactory App { get; private set; } = null!;

        public Tenant Contoso { get; private set; } = null!;

        public Tenant AirGapped { get; private set; } = null!;

        public Tenant Research { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Authority = await LocalOidcAuthority.StartAsync(TestContext.Current.CancellationToken);
            var authority = Authority;
            App = new PortalAppFactory(
                new Dictionary<string, string?>
                {
                    ["AzureAd:Instance"] = authority.BaseAddress.ToString(),
                    ["AzureAd:TenantId"] = "organizations",
                    ["AzureAd:ClientId"] = ClientId,
                    ["AzureAd:CallbackPath"] = "/signin-oidc",
                    ["Oidc:Authority"] = authority.IssuerFor(GenericRealm),
                    ["Oidc:ClientId"] = "portal-generic-client",
                    ["Oidc:DisplayName"] = "Keycloak",
                    ["Portal:ExternalSignIn:PlatformAdmins:0:DirectoryId"] = HomeDirectory,
                    ["Portal:ExternalSignIn:PlatformAdmins:0:ObjectId"] = BootstrapObjectId,
                },
                services =>
                {
                    // Trust the authority's self-made certificate exactly where it is used, nowhere else.
                    services.Configure<OpenIdConnectOptions>(Portal.Web.Identity.AuthenticationExtensions.EntraScheme, o => o.BackchannelHttpHandler = authority.CreateTrustingHandler());
                    services.Configure<OpenIdConnectOptions>(Portal.Web.Identity.AuthenticationExtensions.OidcScheme, o => o.BackchannelHttpHandler = authority.CreateTrustingHandler());
                    services.AddHttpClient("local-authority").ConfigurePrimaryHttpMessageHandler(authority.CreateTrustingHandler);
                    services.Configure<AadIssuerValidatorOptions>(o => o.HttpClientName = "local-authority");
                });
            App.StartServer();
            Contoso = await App.MapExternalTenantAsync(HomeDirectory, "Contoso");
            AirGapped = await App.MapExternalTenantAsync(authority.IssuerFor(GenericRealm), "Air-gapped site");
            Research = await App.MapExternalTenantAsync(GroupDirectory, "Research", ResearchGroup, TenantRoles.Member | TenantRoles.Auditor);
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Authority.DisposeAsync();
        }
    }

    [Fact]
    public async Task EntraSignIn_MappedTenant_CreatesUserByTidAndOidWithMappedRoles()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, objectId, "Ada Lovelace")
        {
            Roles = ["Portal.Member", "Portal.Manager", "Some.Unmapped.Role"],
        });
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme, "/reports");

        Assert.Equal("/reports", done.Headers.Location?.OriginalString);
        var home = await browser.GetPageAsync("/");
        Assert.Contains("Active tenant: Contoso<", home, StringComparison.Ordinal);
        Assert.Contains("Your roles here: Member, Manager<", home, StringComparison.Ordinal);
        Assert.Contains("Reports", await browser.GetPageAsync("/reports"), StringComparison.Ordinal);
        using var admin = await browser.GetAsync("/admin");
        Assert.StartsWith("/account/access-denied", admin.Headers.Location.PathAndQuery(), StringComparison.Ordinal);

        var user = await fixture.App.QueryAsync(db => db.PortalUsers.Include(u => u.Memberships)
            .SingleAsync(u => u.ExternalObjectId == objectId, TestContext.Current.CancellationToken));
        Assert.Equal(HomeDirectory, user.ExternalTenantId);
        Assert.Equal("Ada Lovelace", user.DisplayName);
        Assert.False(user.IsPlatformAdmin);
        var membership = Assert.Single(user.Memberships);
        Assert.Equal(fixture.Contoso.Id, membership.TenantId);
        Assert.Equal(TenantRoles.Member | TenantRoles.Manager, membership.Roles);
    }

    [Fact]
    public async Task EntraSignIn_SecondTime_SamePersonNoDuplicateAndTenantRolesFollowToken()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, objectId, "Grace Hopper") { Roles = ["Portal.Member"] });
        using (await SignInThroughAuthorityAsync(NewBrowser(), Portal.Web.Identity.AuthenticationExtensions.EntraScheme))
        {
        }

        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, objectId, "Grace Hopper") { Roles = ["Portal.TenantAdmin"] });
        var browser = NewBrowser();
        using var second = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme, "/admin");

        Assert.Equal("/admin", second.Headers.Location?.OriginalString);
        Assert.Contains("Administration", await browser.GetPageAsync("/admin"), StringComparison.Ordinal);
        var users = await fixture.App.QueryAsync(db => db.PortalUsers.Include(u => u.Memberships)
            .Where(u => u.ExternalObjectId == objectId).ToListAsync(TestContext.Current.CancellationToken));
        var user = Assert.Single(users);
        Assert.False(user.IsPlatformAdmin);
        Assert.Equal(TenantRoles.TenantAdmin, Assert.Single(user.Memberships).Roles);
    }

    /// <summary>Finding 1: every customer directory assigns its own app roles, so none of them may reach platform rights.</summary>
    [Fact]
    public async Task EntraSignIn_DirectoryAssignsPlatformAdminStyleRole_GrantsNoPlatformRights()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, objectId, "Directory Admin") { Roles = ["Portal.Member", "Portal.PlatformAdmin"] });
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme);

        Assert.Equal("/", done.Headers.Location?.OriginalString);
        using var tenants = await browser.GetAsync("/admin/tenants");
        Assert.StartsWith("/account/access-denied", tenants.Headers.Location.PathAndQuery(), StringComparison.Ordinal);
        using var uploads = await browser.GetAsync("/api/admin/uploads/" + Guid.NewGuid());
        Assert.Equal(HttpStatusCode.Forbidden, uploads.StatusCode);
        var user = await fixture.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.ExternalObjectId == objectId, TestContext.Current.CancellationToken));
        Assert.False(user.IsPlatformAdmin);
    }

    [Fact]
    public async Task EntraSignIn_ConfiguredBootstrapPlatformAdmin_GetsPlatformRightsWithoutAnyRole()
    {
        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, BootstrapObjectId, "Configured Operator"));
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme, "/admin/tenants");

        Assert.Equal("/admin/tenants", done.Headers.Location?.OriginalString);
        Assert.Contains("Tenants", await browser.GetPageAsync("/admin/tenants"), StringComparison.Ordinal);
        var user = await fixture.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.ExternalObjectId == BootstrapObjectId, TestContext.Current.CancellationToken));
        Assert.True(user.IsPlatformAdmin);
    }

    /// <summary>Once a portal admin set a member's roles, the directory's roles no longer overwrite them at sign-in.</summary>
    [Fact]
    public async Task EntraSignIn_AfterPortalAdminChangedRoles_TokenRolesDoNotOverwriteThem()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, objectId, "Demoted Admin") { Roles = ["Portal.TenantAdmin"] });
        using (await SignInThroughAuthorityAsync(NewBrowser(), Portal.Web.Identity.AuthenticationExtensions.EntraScheme))
        {
        }

        var membership = await fixture.App.QueryAsync(db => db.Memberships.SingleAsync(m => m.User!.ExternalObjectId == objectId, TestContext.Current.CancellationToken));
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            var platformAdmin = await fixture.App.QueryAsync(db => db.PortalUsers.FirstAsync(u => u.Email == PortalAppFactory.AdminEmail, TestContext.Current.CancellationToken));
            await scope.ServiceProvider.GetRequiredService<Portal.Web.Admin.MemberAdministration>().SetRolesAsync(
                new Portal.Web.Admin.AdminActor(platformAdmin.Id, true, null, false), membership.TenantId, membership.Id, TenantRoles.Member, TestContext.Current.CancellationToken);
        }

        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, objectId, "Demoted Admin") { Roles = ["Portal.TenantAdmin"] });
        var browser = NewBrowser();
        using (await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme))
        {
        }

        using var admin = await browser.GetAsync("/admin");
        Assert.StartsWith("/account/access-denied", admin.Headers.Location.PathAndQuery(), StringComparison.Ordinal);
        var after = await fixture.App.QueryAsync(db => db.Memberships.SingleAsync(m => m.Id == membership.Id, TestContext.Current.CancellationToken));
        Assert.Equal(TenantRoles.Member, after.Roles);
    }

    /// <summary>Finding 4: a tab after the first slash used to survive the check and end in the Location header.</summary>
    [Fact]
    public async Task EntraSignIn_ReturnUrlWithControlCharacter_EndsOnThisSite()
    {
        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, Guid.NewGuid().ToString(), "Redirected") { Roles = ["Portal.Member"] });

        using var done = await SignInThroughAuthorityAsync(NewBrowser(), Portal.Web.Identity.AuthenticationExtensions.EntraScheme, "/\t/evil.example");

        Assert.Equal("/", done.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task EntraSignIn_UnmappedDirectory_RefusedWithReasonAndNothingStored()
    {
        var foreignDirectory = Guid.NewGuid().ToString();
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(foreignDirectory, objectId, "Mallory") { Roles = ["Portal.PlatformAdmin"] });
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme);

        Assert.Equal($"/signin-refused?reason={SignInRefusal.UnmappedTenant}", done.Headers.Location?.OriginalString);
        var page = await browser.GetPageAsync(done.Headers.Location!.OriginalString);
        Assert.Contains("Your organisation's directory is not connected to this portal.", page, StringComparison.Ordinal);
        using var home = await browser.GetAsync("/");
        Assert.StartsWith("/account/signin", home.Headers.Location.PathAndQuery(), StringComparison.Ordinal);
        Assert.False(await fixture.App.QueryAsync(db => db.PortalUsers.AnyAsync(u => u.ExternalObjectId == objectId, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task EntraSignIn_MappedGroup_MemberOfGroupsTenantWithMappingDefaults()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(GroupDirectory, objectId, "Researcher") { Groups = ["some-other-group", ResearchGroup] });
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme);

        Assert.Equal("/", done.Headers.Location?.OriginalString);
        var membership = await fixture.App.QueryAsync(db => db.Memberships.SingleAsync(
            m => m.User!.ExternalObjectId == objectId, TestContext.Current.CancellationToken));
        Assert.Equal(fixture.Research.Id, membership.TenantId);
        Assert.Equal(TenantRoles.Member | TenantRoles.Auditor, membership.Roles);
    }

    [Fact]
    public async Task EntraSignIn_DirectoryMappedOnlyForAGroup_OutsiderRefused()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(GroupDirectory, objectId, "Not in the group") { Groups = ["some-other-group"] });
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme);

        Assert.Equal($"/signin-refused?reason={SignInRefusal.UnmappedTenant}", done.Headers.Location?.OriginalString);
        Assert.False(await fixture.App.QueryAsync(db => db.PortalUsers.AnyAsync(u => u.ExternalObjectId == objectId, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task EntraSignIn_TokenForAnotherAudience_RefusedWithReason()
    {
        var objectId = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(HomeDirectory, objectId, "Eve") { Audience = "some-other-application" });
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.EntraScheme);

        Assert.Equal($"/signin-refused?reason={SignInRefusal.WrongAudience}", done.Headers.Location?.OriginalString);
        var page = await browser.GetPageAsync(done.Headers.Location!.OriginalString);
        Assert.Contains("issued the sign-in token for another application (audience mismatch)", page, StringComparison.Ordinal);
        Assert.False(await fixture.App.QueryAsync(db => db.PortalUsers.AnyAsync(u => u.ExternalObjectId == objectId, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task GenericOidcSignIn_IssuerMapped_UserKeyedByIssuerAndSubject()
    {
        var subject = Guid.NewGuid().ToString();
        fixture.Authority.SignInAs(new LocalOidcSubject(GenericRealm, subject, "Air-gapped Operator") { Roles = ["Portal.Auditor"] });
        var browser = NewBrowser();

        using var done = await SignInThroughAuthorityAsync(browser, Portal.Web.Identity.AuthenticationExtensions.OidcScheme, "/audit");

        Assert.Equal("/audit", done.Headers.Location?.OriginalString);
        Assert.Contains("Audit", await browser.GetPageAsync("/audit"), StringComparison.Ordinal);
        var user = await fixture.App.QueryAsync(db => db.PortalUsers.Include(u => u.Memberships)
            .SingleAsync(u => u.ExternalObjectId == subject, TestContext.Current.CancellationToken));
        Assert.Equal(fixture.Authority.IssuerFor(GenericRealm), user.ExternalTenantId);
        var membership = Assert.Single(user.Memberships);
        Assert.Equal(fixture.AirGapped.Id, membership.TenantId);
        Assert.Equal(TenantRoles.Auditor, membership.Roles);
    }

    [Fact]
    public async Task EntraCallback_ForgedState_RefusedWithReason()
    {
        var browser = NewBrowser();

        using var done = await browser.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["code"] = "made-up",
            ["state"] = "not-a-state-this-portal-issued",
        }));

        Assert.Equal($"/signin-refused?reason={SignInRefusal.ProviderError}", done.Headers.Location?.OriginalString);
        Assert.Contains("The identity provider reported an error", await browser.GetPageAsync(done.Headers.Location!.OriginalString), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInPage_ExternalProvidersConfigured_OffersBoth()
    {
        var page = await NewBrowser().GetPageAsync("/account/signin?returnUrl=%2Fchat");

        Assert.Contains("href=\"/account/signin/Entra?returnUrl=%2Fchat\"", page, StringComparison.Ordinal);
        Assert.Contains("Sign in with Keycloak", page, StringComparison.Ordinal);
    }

    /// <summary>What a browser does: challenge at the portal, the authority's form_post page, the post back.</summary>
    private async Task<HttpResponseMessage> SignInThroughAuthorityAsync(BrowserLikeClient browser, string scheme, string returnUrl = "/")
    {
        using var challenge = await browser.GetAsync($"/account/signin/{scheme}?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.StartsWith(fixture.Authority.BaseAddress.ToString(), authorize.ToString(), StringComparison.Ordinal);

        using var authorityClient = new HttpClient(fixture.Authority.CreateTrustingHandler());
        var formPost = await authorityClient.GetStringAsync(authorize, TestContext.Current.CancellationToken);
        var action = new Uri(WebUtility.HtmlDecode(FormAction().Match(formPost).Groups[1].Value));
        var fields = HiddenInput().Matches(formPost).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        Assert.Equal("localhost", action.Host);

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
