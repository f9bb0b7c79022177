using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Data;

namespace Portal.Web.Endpoints;

/// <summary><c>builder.AddPortalEndpoints()</c>: external engines as models (options "Portal:Endpoints", the HTTP client, key protection, administration).</summary>
public static class EndpointsExtensions
{
    /// <summary>Folder under Portal:DataDirectory that holds the Data Protection key ring.</summary>
    public const string DataProtectionKeysFolder = "data-protection-keys";

    public static IHostApplicationBuilder AddPortalEndpoints(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<EndpointOptions>().BindConfiguration(EndpointOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<PortalDataOptions>, ILoggerFactory>((keyManagement, data, logging) =>
        {
            // Stored endpoint keys must still open after a restart: Data Protection's key ring lives
            // in the data folder (not in memory or a home folder a container loses). It is the key
            // to every protected key, so back it up with the database and keep the folder private.
            keyManagement.XmlRepository ??= new FileSystemXmlRepository(
                new DirectoryInfo(Path.Combine(data.Value.DataDirectory, DataProtectionKeysFolder)), logging);
        });
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
