using System.Net;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Identity;

/// <summary>A signed-in person's cookie follows the database: disabling and role changes reach open sessions.</summary>
public sealed class SessionRevalidationTests(SessionRevalidationTests.Fixture fixture) : IClassFixture<SessionRevalidationTests.Fixture>
{
    private const string Password = "Session-Pass-1234!";

    public sealed class Fixture : IAsyncLifetime
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public PortalAppFactory App { get; private set; } = null!;

        public ValueTask InitializeAsync()
        {
            var time = Time;
            App = new PortalAppFactory(testServices: services => services.AddSingleton<TimeProvider>(time));
            App.StartServer();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task OpenSession_PersonDisabled_SignedOutAtNextCheck()
    {
        var user = await fixture.App.CreateLocalUserAsync("disabled-later@portal.test", Password, TenantRoles.Member);
        var browser = NewBrowser();
        await browser.SignInAsync("disabled-later@portal.test", Password);
        await browser.GetPageAsync("/chat");

        await fixture.App.QueryAsync(db => db.PortalUsers.Where(u => u.Id == user.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.IsDisabled, true), TestContext.Current.CancellationToken));
        fixture.Time.Advance(TimeSpan.FromMinutes(6));
        using var chat = await browser.GetAsync("/chat");

        Assert.Equal(HttpStatusCode.Redirect, chat.StatusCode);
        Assert.StartsWith("/account/signin", chat.Headers.Location.PathAndQuery(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenSession_RoleGranted_TakesEffectWithoutNewSignIn()
    {
        var user = await fixture.App.CreateLocalUserAsync("promoted@portal.test", Password, TenantRoles.Member);
        var browser = NewBrowser();
        await browser.SignInAsync("promoted@portal.test", Password);

        await fixture.App.QueryAsync(db => db.Memberships.Where(m => m.UserId == user.Id)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.Roles, TenantRoles.Member | TenantRoles.Manager), TestContext.Current.CancellationToken));
        fixture.Time.Advance(TimeSpan.FromMinutes(6));

        Assert.Contains("Reports", await browser.GetPageAsync("/reports"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenCircuit_PersonDisabled_LosesAuthentication()
    {
        var user = await fixture.App.CreateLocalUserAsync("circuit@portal.test", Password, TenantRoles.Member);
        var principal = PortalPrincipal.Create(new PortalSession(user.Id, user.DisplayName, false, null, [], PortalSession.LocalSignIn));
        SessionLifetime.Stamp(principal, fixture.Time.GetUtcNow());
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var provider = Assert.IsType<PortalRevalidatingAuthenticationStateProvider>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
        Assert.True(await provider.IsStillValidAsync(principal, TestContext.Current.CancellationToken));

        await fixture.App.QueryAsync(db => db.PortalUsers.Where(u => u.Id == user.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.IsDisabled, true), TestContext.Current.CancellationToken));

        Assert.False(await provider.IsStillValidAsync(principal, TestContext.Current.CancellationToken));
    }

    /// <summary>Finding 6: activity keeps sliding the cookie, but never past the absolute lifetime (12 hours by default).</summary>
    [Fact]
    public async Task OpenSession_ActiveForLongerThanAbsoluteLifetime_SignedOut()
    {
        await fixture.App.CreateLocalUserAsync("all-day@portal.test", Password, TenantRoles.Member);
        var browser = NewBrowser();
        await browser.SignInAsync("all-day@portal.test", Password);

        for (var i = 0; i < 3; i++)
        {
            fixture.Time.Advance(TimeSpan.FromHours(3.5));
            await browser.GetPageAsync("/chat"); // 3.5, 7 and 10.5 hours: still signed in, the cookie slides
        }

        fixture.Time.Advance(TimeSpan.FromHours(2));
        using var chat = await browser.GetAsync("/chat");

        Assert.Equal(HttpStatusCode.Redirect, chat.StatusCode);
        Assert.StartsWith("/account/signin", chat.Headers.Location.PathAndQuery(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenSession_TenantSwitch_DoesNotRestartTheAbsoluteLifetime()
    {
        var user = await fixture.App.CreateLocalUserAsync("switcher@portal.test", Password, TenantRoles.Member);
        var other = await fixture.App.AddMembershipAsync(user.Id, $"Switch {Guid.NewGuid():N}", TenantRoles.Member);
        var browser = NewBrowser();
        await browser.SignInAsync("switcher@portal.test", Password);

        fixture.Time.Advance(TimeSpan.FromHours(6));
        await browser.GetPageAsync("/");
        fixture.Time.Advance(TimeSpan.FromHours(5));
        using (await browser.PostFormAsync("/", "/account/tenant", new Dictionary<string, string> { ["tenantId"] = other.Id.ToString(), ["returnUrl"] = "/" }))
        {
        }

        await browser.GetPageAsync("/");
        fixture.Time.Advance(TimeSpan.FromHours(1.5));
        using var chat = await browser.GetAsync("/chat");

        Assert.StartsWith("/account/signin", chat.Headers.Location.PathAndQuery(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenCircuit_AbsoluteLifetimeOver_LosesAuthentication()
    {
        var user = await fixture.App.CreateLocalUserAsync("long-circuit@portal.test", Password, TenantRoles.Member);
        var principal = PortalPrincipal.Create(new PortalSession(user.Id, user.DisplayName, false, null, [], PortalSession.LocalSignIn));
        SessionLifetime.Stamp(principal, fixture.Time.GetUtcNow() - TimeSpan.FromHours(12.5));
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var provider = Assert.IsType<PortalRevalidatingAuthenticationStateProvider>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());

        Assert.False(await provider.IsStillValidAsync(principal, TestContext.Current.CancellationToken));
    }

    private BrowserLikeClient NewBrowser() => new(fixture.App.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = true,
        BaseAddress = new Uri("https://localhost"),
    }));
}
