using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Portal.Tests.Web.Hosting;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Identity;

/// <summary>Finding 4: a return URL is a path on this site, or it becomes "/"; control characters never pass.</summary>
public sealed class ReturnUrlTests(ReturnUrlTests.Fixture fixture) : IClassFixture<ReturnUrlTests.Fixture>
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
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r/evil.example")]
    [InlineData("/\0/evil.example")]
    [InlineData("/ /evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/chat\\..\\/evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("evil.example")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("/chat\u0085")]
    public void SafeReturnUrl_NotAPlainLocalPath_BecomesRoot(string? returnUrl) =>
        Assert.Equal("/", AccountEndpoints.SafeReturnUrl(returnUrl));

    [Theory]
    [InlineData("/")]
    [InlineData("/chat")]
    [InlineData("/chat/3f2a?tab=1#end")]
    [InlineData("/admin/members?q=a%20b")]
    public void SafeReturnUrl_LocalPath_Kept(string returnUrl) =>
        Assert.Equal(returnUrl, AccountEndpoints.SafeReturnUrl(returnUrl));

    [Fact]
    public async Task LocalSignIn_ReturnUrlWithTab_RedirectsHomeNotOffSite()
    {
        var browser = new BrowserLikeClient(fixture.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

        using var signIn = await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword, "/\t/evil.example");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/", signIn.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignInPage_ReturnUrlWithTab_FormCarriesRootOnly()
    {
        var browser = new BrowserLikeClient(fixture.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));

        var page = await browser.GetPageAsync("/account/signin?returnUrl=%2F%09%2Fevil.example");

        Assert.Contains("name=\"returnUrl\" value=\"/\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", page, StringComparison.Ordinal);
    }
}
