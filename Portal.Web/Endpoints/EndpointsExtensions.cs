using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portal.Web.Endpoints;

/// <summary><c>builder.AddPortalEndpoints()</c>: external engines as models (options "Portal:Endpoints", the HTTP client, key protection, administration).</summary>
public static class EndpointsExtensions
{
    public static IHostApplicationBuilder AddPortalEndpoints(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<EndpointOptions>().BindConfiguration(EndpointOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddHttpClient(EndpointClient.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                // Only the URL an admin stored is called: a redirect would lead elsewhere.
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<EndpointOptions>>().Value.ConnectTimeoutSeconds),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        services.TryAddSingleton<EndpointKeys>();
        services.TryAddSingleton<EndpointClient>();
        services.TryAddScoped<EndpointModelAdministration>();
        services.TryAddSingleton<Chat.GenerationBackends>();
        return builder;
    }
}
