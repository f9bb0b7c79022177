using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Browser;

/// <summary>The portal served by Kestrel on a free loopback port, for a real browser to reach.</summary>
public sealed class KestrelPortalFixture : IAsyncLifetime
{
    public PortalAppFactory App { get; } = new();

    /// <summary>The portal's address, ending in a slash.</summary>
    public string BaseUrl { get; private set; } = "";

    public ValueTask InitializeAsync()
    {
        App.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        App.StartServer();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUrl = address.TrimEnd('/') + "/";
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
