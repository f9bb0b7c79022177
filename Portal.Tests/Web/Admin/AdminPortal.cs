using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Admin;

/// <summary>
/// The real portal on a Kestrel loopback port (real sockets, real request bodies) over its own SQLite
/// file and models folder, with a small upload limit so the limit can be tested.
/// </summary>
public sealed class AdminPortal : IAsyncLifetime
{
    public const long UploadLimitBytes = 3L * 1024 * 1024 * 1024;

    public PortalAppFactory App { get; } = new(new Dictionary<string, string?>
    {
        ["Portal:Models:MaxUploadBytes"] = UploadLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Logging:LogLevel:Default"] = "Warning",
    });

    public string ModelsFolder => Path.Combine(App.DataDirectory, "models");

    public string UploadsFolder => Path.Combine(ModelsFolder, ".uploads");

    public ValueTask InitializeAsync()
    {
        App.UseKestrel(0);
        App.StartServer();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    public BrowserLikeClient NewBrowser() =>
        new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new() })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromMinutes(5),
        });

    /// <summary>The loopback address Kestrel listens on (a free port chosen at start).</summary>
    public Uri BaseAddress => new(App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());

    public async Task<BrowserLikeClient> SignedInPlatformAdminAsync()
    {
        var browser = NewBrowser();
        using var signIn = await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, signIn.StatusCode);
        return browser;
    }

    /// <summary>A new person with a local account in <paramref name="tenantName"/>, signed in.</summary>
    public async Task<(User User, BrowserLikeClient Browser)> SignedInMemberAsync(TenantRoles roles, string tenantName = "Default")
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        const string password = "Member-Pass-1234!";
        var user = await App.CreateLocalUserAsync(email, password, roles, tenantName);
        var browser = NewBrowser();
        using var signIn = await browser.SignInAsync(email, password);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("error", signIn.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);
        return (user, browser);
    }

    /// <summary>Files left in the upload area (partial files and upload state).</summary>
    public IReadOnlyList<string> UploadAreaFiles() =>
        Directory.Exists(UploadsFolder) ? Directory.GetFiles(UploadsFolder) : [];
}
