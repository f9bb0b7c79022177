using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Portal.Data;

namespace Portal.Tests.Data.Infrastructure;

/// <summary>A real generic host with <c>AddPortalData()</c>, configured like the web app would be.</summary>
public static class PortalDataHost
{
    public static HostApplicationBuilder CreateBuilder(string contentRoot, IDictionary<string, string?> configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = contentRoot,
            DisableDefaults = true,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddPortalData();
        return builder;
    }

    public static Dictionary<string, string?> ConfigurationFor(TestDatabase database) => new()
    {
        ["Database:Provider"] = database.Provider.ToString(),
        ["ConnectionStrings:Portal"] = database.ConnectionString,
    };
}
