using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Chat;
using Portal.Web.Models;

namespace Portal.Tests.Web.Operations;

/// <summary>
/// The real portal on a Kestrel loopback port over a fresh SQLite file and models folder, with the
/// tiny test model loaded (the embedded default), started with the settings a test gives. One per test:
/// the operations tests break the database or the models folder on purpose.
/// </summary>
public sealed class OperationsPortal : IAsyncDisposable
{
    public const string MemberPassword = "Operations-Member-1!";

    private OperationsPortal(PortalAppFactory factory) => Factory = factory;

    public PortalAppFactory Factory { get; }

    public Uri BaseAddress => new(Factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()
        .Replace("[::]", "127.0.0.1", StringComparison.Ordinal));

    public string DatabaseFile => Path.Combine(Factory.DataDirectory, "portal.db");

    public string ModelsFolder => Factory.Services.GetRequiredService<ModelCatalog>().ModelsFolder;

    /// <summary>Starts a portal and waits until its start-up model load is done.</summary>
    public static async Task<OperationsPortal> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? testServices = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Portal:Chat:Temperature"] = "0",
            ["Portal:Chat:MaxAnswerTokens"] = "64",
            ["Inference:Threads"] = "1",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var factory = new PortalAppFactory(all, testServices);
        factory.UseKestrel(0);
        factory.StartServer();
        var portal = new OperationsPortal(factory);
        await factory.Services.GetRequiredService<ModelCatalogStartup>().Ready;
        return portal;
    }

    /// <summary>A client with no cookie, as a load balancer's probe is.</summary>
    public HttpClient Anonymous() => new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = BaseAddress };

    public async Task<BrowserLikeClient> SignedInAsync(string email, string password)
    {
        var browser = new BrowserLikeClient(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new() }) { BaseAddress = BaseAddress });
        using var signIn = await browser.SignInAsync(email, password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("signin", signIn.Headers.Location?.OriginalString ?? "", StringComparison.OrdinalIgnoreCase);
        return browser;
    }

    public Task<BrowserLikeClient> SignedInPlatformAdminAsync() => SignedInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);

    /// <summary>A new member of the default tenant and a started hub connection carrying their cookie.</summary>
    public async Task<(string Email, HubConnection Hub)> ConnectedMemberAsync()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        await Factory.CreateLocalUserAsync(email, MemberPassword, TenantRoles.Member);
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        using (var signIn = await new BrowserLikeClient(http).SignInAsync(email, MemberPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(BaseAddress, ChatHub.Path), HttpTransportType.WebSockets, options => options.Cookies = cookies)
            .Build();
        await hub.StartAsync(TestContext.Current.CancellationToken);
        return (email, hub);
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
