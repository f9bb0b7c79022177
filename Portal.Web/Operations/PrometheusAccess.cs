using System.Net;
using Microsoft.Extensions.Options;
using Portal.Web.Identity;

namespace Portal.Web.Operations;

/// <summary>
/// Who may read the Prometheus scrape endpoint: a client whose address lies in
/// <c>Portal:Telemetry:Prometheus:AllowedNetworks</c> (default loopback only), or a signed-in platform
/// administrator from anywhere. Everyone else gets 403. Behind a reverse proxy the address is the
/// proxy's: allow the scraper's network only where the proxy cannot be reached from elsewhere.
/// </summary>
internal sealed class PrometheusAccess(IOptions<TelemetryOptions> options)
{
    private readonly IPNetwork[] allowed = [.. options.Value.Prometheus.EffectiveNetworks.Select(n => IPNetwork.Parse(n))];

    public bool Allows(HttpContext context)
    {
        if (context.User.IsInRole(PortalRoles.PlatformAdmin))
        {
            return true;
        }

        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return allowed.Any(network => network.Contains(address));
    }

    /// <summary>The branch in front of the exporter: refuses whoever <see cref="Allows"/> does not admit.</summary>
    public static void Guard(IApplicationBuilder branch) => branch.Use(async (context, next) =>
    {
        if (!context.RequestServices.GetRequiredService<PrometheusAccess>().Allows(context))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Metrics are served to the allowed networks and to platform administrators only.", context.RequestAborted);
            return;
        }

        await next(context);
    });
}
