using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Identity;

/// <summary>Local accounts through the real portal and a real SQLite database (one per class).</summary>
public sealed class LocalSignInTests(LocalSignInTests.Fixture fixture) : IClassFixture<LocalSignInTests.Fixture>
{
    private const string MemberPassword = "Member-Pass-1234!";

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
    public async Task SignIn_BootstrapAdmin_RedirectsBackAndOpensAdmin()
    {
        var browser = NewBrowser();

        using var signIn = await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword, "/admin");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/admin", signIn.Headers.Location?.OriginalString);
        var admin = await browser.GetPageAsync("/admin");
        Assert.Contains("Administration", admin, StringComparison.Ordinal);
        Assert.Contains("Default", admin, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WrongPassword_RefusedWithMessage()
    {
        await fixture.App.CreateLocalUserAsync("wrong@portal.test", MemberPassword, TenantRoles.Member);
        var browser = NewBrowser();

        using var signIn = await browser.SignInAsync("wrong@portal.test", "Not-The-Password-1!");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var page = await browser.GetPageAsync(signIn.Headers.Location!.OriginalString);
        Assert.Contains("The e-mail address or the password is not correct, or this account cannot sign in.", page, StringComparison.Ordinal);
        using var home = await browser.GetAsync("/");
        Assert.StartsWith("/account/signin", home.Headers.Location?.PathAndQuery(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_UnknownEmail_RefusedWithSameMessage()
    {
        var browser = NewBrowser();

        using var signIn = await browser.SignInAsync("nobody@portal.test", MemberPassword);

        var page = await browser.GetPageAsync(signIn.Headers.Location!.OriginalString);
        Assert.Contains("The e-mail address or the password is not correct, or this account cannot sign in.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_ThrottledFromThatSourceEvenForTheRightPassword()
    {
        await fixture.App.CreateLocalUserAsync("locked@portal.test", MemberPassword, TenantRoles.Member);
        var browser = NewBrowser();
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var wrong = await browser.SignInAsync("locked@portal.test", $"Wrong-Password-{attempt}!");
            Assert.Contains("error=invalid", wrong.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }

        using var right = await browser.SignInAsync("locked@portal.test", MemberPassword);

        Assert.Contains("error=throttled", right.Headers.Location!.OriginalString, StringComparison.Ordinal);
        var page = await browser.GetPageAsync(right.Headers.Location!.OriginalString);
        Assert.Contains("Too many sign-in attempts. Wait a few minutes, then try again.", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/chat")]
    [InlineData("/admin")]
    public async Task Page_Unauthenticated_RedirectedToSignIn(string path)
    {
        var browser = NewBrowser();

        using var response = await browser.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/account/signin?returnUrl={Uri.EscapeDataString(path)}", response.Headers.Location?.PathAndQuery());
    }

    [Fact]
    public async Task AdminPage_Member_AccessDenied()
    {
        await fixture.App.CreateLocalUserAsync("member@portal.test", MemberPassword, TenantRoles.Member);
        var browser = NewBrowser();
        using var signIn = await browser.SignInAsync("member@portal.test", MemberPassword);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);

        using var admin = await browser.GetAsync("/admin");
        var chat = await browser.GetPageAsync("/chat");

        Assert.Equal(HttpStatusCode.Redirect, admin.StatusCode);
        Assert.StartsWith("/account/access-denied", admin.Headers.Location?.PathAndQuery(), StringComparison.Ordinal);
        var denied = await browser.GetPageAsync(admin.Headers.Location!.PathAndQuery());
        Assert.Contains("Access denied", denied, StringComparison.Ordinal);
        Assert.Contains("What can I help with?", chat, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwitchTenant_ToOwnMembership_ChangesActiveTenantAndRoles()
    {
        var user = await fixture.App.CreateLocalUserAsync("two-tenants@portal.test", MemberPassword, TenantRoles.Member, "Alpha");
        var beta = await fixture.App.AddMembershipAsync(user.Id, "Beta", TenantRoles.Member | TenantRoles.Manager);
        var browser = NewBrowser();
        await browser.SignInAsync("two-tenants@portal.test", MemberPassword);
        Assert.Contains("Active tenant: Alpha<", await browser.GetPageAsync("/"), StringComparison.Ordinal);
        using (var reports = await browser.GetAsync("/reports"))
        {
            Assert.StartsWith("/account/access-denied", reports.Headers.Location?.PathAndQuery(), StringComparison.Ordinal);
        }

        using var switched = await browser.PostFormAsync("/", "/account/tenant", new() { ["tenantId"] = beta.Id.ToString(), ["returnUrl"] = "/reports" });

        Assert.Equal("/reports", switched.Headers.Location?.OriginalString);
        Assert.Contains("Reports", await browser.GetPageAsync("/reports"), StringComparison.Ordinal);
        Assert.Contains("Active tenant: Beta<", await browser.GetPageAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwitchTenant_ToTenantWithoutMembership_Forbidden()
    {
        await fixture.App.CreateLocalUserAsync("outsider@portal.test", MemberPassword, TenantRoles.Member, "Gamma");
        var other = await fixture.App.CreateLocalUserAsync("insider@portal.test", MemberPassword, TenantRoles.Member, "Delta");
        var deltaId = await fixture.App.QueryAsync(db => Task.FromResult(db.Memberships.Single(m => m.UserId == other.Id).TenantId));
        var browser = NewBrowser();
        await browser.SignInAsync("outsider@portal.test", MemberPassword);

        using var switched = await browser.PostFormAsync("/", "/account/tenant", new() { ["tenantId"] = deltaId.ToString(), ["returnUrl"] = "/" });

        Assert.StartsWith("/account/access-denied", switched.Headers.Location?.PathAndQuery(), StringComparison.Ordinal);
        Assert.Contains("Active tenant: Gamma<", await browser.GetPageAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_FromTheShellForm_EndsTheSession()
    {
        await fixture.App.CreateLocalUserAsync("leaving@portal.test", MemberPassword, TenantRoles.Member);
        var browser = NewBrowser();
        await browser.SignInAsync("leaving@portal.test", MemberPassword);

        using var signOut = await browser.PostFormAsync("/", "/account/signout", []);

        Assert.Equal("/account/signin", signOut.Headers.Location?.OriginalString);
        using var chat = await browser.GetAsync("/chat");
        Assert.StartsWith("/account/signin", chat.Headers.Location.PathAndQuery(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInForm_WithoutAntiforgeryToken_Rejected()
    {
        var browser = NewBrowser();

        using var response = await browser.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = PortalAppFactory.AdminEmail,
            ["password"] = PortalAppFactory.AdminPassword,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("did not come from this portal", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private BrowserLikeClient NewBrowser() => new(fixture.App.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    }));
}
