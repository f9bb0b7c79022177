using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Security;

/// <summary>Finding 7 over HTTP: headers on every answer, secure cookies over HTTPS, Origin-checked hubs, sign-out only with a token.</summary>
public sealed class SecurityHeadersTests(SecurityHeadersTests.Fixture fixture) : IClassFixture<SecurityHeadersTests.Fixture>
{
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

    [Theory]
    [InlineData("/account/signin")]
    [InlineData("/signin-refused?reason=x")]
    [InlineData("/no-such-page")]
    public async Task AnyPage_CarriesTheBrowserHardeningHeaders(string url)
    {
        using var response = await Https().GetAsync(url);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("img-src 'self' data:", csp, StringComparison.Ordinal);
        Assert.Matches("script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}'", csp);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.StartsWith("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttp_NoHsts()
    {
        using var response = await new BrowserLikeClient(fixture.App.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost") })).GetAsync("/account/signin");

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task SignInOverHttps_SessionCookieIsSecure()
    {
        using var signIn = await Https().SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);

        var session = Assert.Single(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".Portal.Session=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task SignOut_WithoutAntiforgeryToken_Refused()
    {
        var browser = Https();
        await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);

        using var forged = await browser.PostAsync("/account/signout", new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("Administration", await browser.GetPageAsync("/admin"), StringComparison.Ordinal);
        using var real = await browser.PostFormAsync("/account/signin", "/account/signout", []);
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        using var after = await browser.GetAsync("/admin");
        Assert.StartsWith("/account/signin", after.Headers.Location.PathAndQuery(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/hubs/chat/negotiate?negotiateVersion=1")]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    public async Task SignalR_FromAnotherOrigin_Refused(string negotiate)
    {
        var browser = Https();
        await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);

        using var foreign = new HttpRequestMessage(HttpMethod.Post, negotiate);
        foreign.Headers.Add("Origin", "https://evil.example");
        using var refused = await browser.Http.SendAsync(foreign, TestContext.Current.CancellationToken);
        using var own = new HttpRequestMessage(HttpMethod.Post, negotiate);
        own.Headers.Add("Origin", "https://localhost");
        using var accepted = await browser.Http.SendAsync(own, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    private BrowserLikeClient Https() => new(fixture.App.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    }));
}
