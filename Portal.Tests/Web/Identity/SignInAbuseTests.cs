using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Identity;

/// <summary>
/// Finding 8: refusals do not say which accounts exist or are disabled, an unknown e-mail costs the same
/// password check as a known one, and failed sign-ins are limited per address and per source, so spraying
/// an account from one place cannot lock its owner out.
/// </summary>
public sealed class SignInAbuseTests(SignInAbuseTests.Fixture fixture) : IClassFixture<SignInAbuseTests.Fixture>
{
    private const string Password = "Abuse-Test-Pass-1!";
    private const string SourceHeader = "X-Test-Source";

    public sealed class Fixture : IAsyncLifetime
    {
        public CountingPasswordHasher Hasher { get; } = new();

        public PortalAppFactory App { get; private set; } = null!;

        public ValueTask InitializeAsync()
        {
            var hasher = Hasher;
            App = new PortalAppFactory(testServices: services =>
            {
                services.AddSingleton<IPasswordHasher<LocalAccount>>(hasher);
                services.AddTransient<IStartupFilter, TestSourceAddress>();
            });
            App.StartServer();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task Spraying_FromOneSource_DoesNotLockTheOwnerOut()
    {
        var email = await NewMemberAsync();
        var attacker = NewBrowser("10.66.0.1");
        for (var attempt = 0; attempt < 8; attempt++)
        {
            using var _ = await attacker.SignInAsync(email, $"Guess-{attempt}-Password!");
        }

        using var owner = await NewBrowser("10.7.0.1").SignInAsync(email, Password);

        Assert.Equal("/", owner.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Spraying_FromOneSource_ThrottledThereWithAMessageThatRevealsNothing()
    {
        var email = await NewMemberAsync();
        var attacker = NewBrowser("10.66.0.2");
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var _ = await attacker.SignInAsync(email, $"Guess-{attempt}-Password!");
        }

        using var limited = await attacker.SignInAsync(email, Password);
        using var unknownLimited = await attacker.SignInAsync($"{Guid.NewGuid():N}@portal.test", Password);

        Assert.Contains("error=throttled", limited.Headers.Location?.OriginalString, StringComparison.Ordinal);
        var page = await attacker.GetPageAsync(limited.Headers.Location!.OriginalString);
        Assert.Contains("Too many sign-in attempts. Wait a few minutes, then try again.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_UnknownWrongAndDisabled_LookTheSame()
    {
        var email = await NewMemberAsync();
        var disabled = await NewMemberAsync();
        await fixture.App.QueryAsync(db => db.PortalUsers.Where(u => u.Email == disabled).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsDisabled, true), TestContext.Current.CancellationToken));
        var browser = NewBrowser("10.8.0.1");

        using var wrong = await browser.SignInAsync(email, "Not-The-Password-1!");
        using var unknown = await browser.SignInAsync($"{Guid.NewGuid():N}@portal.test", Password);
        using var off = await browser.SignInAsync(disabled, Password);

        var locations = new[] { wrong, unknown, off }.Select(r => r.Headers.Location?.OriginalString).ToList();
        Assert.All(locations, l => Assert.Equal(locations[0], l));
        Assert.Contains("The e-mail address or the password is not correct", await browser.GetPageAsync(locations[0]!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownEmail_StillCostsOnePasswordCheck()
    {
        var before = fixture.Hasher.Verifications;

        using var unknown = await NewBrowser("10.9.0.1").SignInAsync($"{Guid.NewGuid():N}@portal.test", Password);

        Assert.Equal(before + 1, fixture.Hasher.Verifications);
    }

    private async Task<string> NewMemberAsync()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        await fixture.App.CreateLocalUserAsync(email, Password, TenantRoles.Member);
        return email;
    }

    private BrowserLikeClient NewBrowser(string source)
    {
        var client = fixture.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        client.DefaultRequestHeaders.Add(SourceHeader, source);
        return new BrowserLikeClient(client);
    }

    /// <summary>The in-memory test server has no client address; the test names one per "machine".</summary>
    private sealed class TestSourceAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[SourceHeader], out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>Identity's own hasher, counting how often a password is checked against a hash.</summary>
    public sealed class CountingPasswordHasher : IPasswordHasher<LocalAccount>
    {
        private readonly PasswordHasher<LocalAccount> _inner = new();
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        public string HashPassword(LocalAccount user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(LocalAccount user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verifications);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }
}
