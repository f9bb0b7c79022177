using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Web.Nodes;

namespace Portal.Web.Models;

public static class ModelCatalogExtensions
{
    /// <summary>
    /// The inference engine (worker processes by default, see <see cref="NodesExtensions.AddInferenceNodes"/>) and the <see cref="ModelCatalog"/>
    /// over it (section "Portal:Models"), with the start-up work: test model when empty, reloads.
    /// </summary>
    public static IHostApplicationBuilder AddModelHosting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddInferenceNodes();
        builder.Services.AddOptions<ModelCatalogOptions>()
            .BindConfiguration(ModelCatalogOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<ModelCatalog>();
        builder.Services.TryAddSingleton<ModelCatalogStartup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ModelCatalogStartup>());
        return builder;
    }
}
