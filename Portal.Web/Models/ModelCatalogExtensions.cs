using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Inference;

namespace Portal.Web.Models;

public static class ModelCatalogExtensions
{
    /// <summary>
    /// The in-process engine (section "Inference", CPU by default) and the <see cref="ModelCatalog"/>
    /// over it (section "Portal:Models"), with the start-up work: test model when empty, reloads.
    /// </summary>
    public static IHostApplicationBuilder AddModelHosting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddInference();
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
