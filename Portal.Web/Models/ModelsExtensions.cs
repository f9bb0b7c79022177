using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Web.Audit;

namespace Portal.Web.Models;

/// <summary><c>builder.AddPortalModels()</c> (after <c>AddModelHosting()</c>, whose catalog registers and loads): the models folder, resumable uploads, the folder scan and the sweep of abandoned uploads.</summary>
public static class ModelsExtensions
{
    public static IHostApplicationBuilder AddPortalModels(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ModelStorageOptions>().BindConfiguration(ModelStorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<ModelFolder>();
        services.TryAddSingleton<ModelUploads>();
        services.TryAddSingleton<ModelFolderScanner>();
        services.AddHostedService<AbandonedUploadSweeper>();
        services.AddHostedService<ModelFolderStartupScan>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPortalModels(this IEndpointRouteBuilder endpoints) => endpoints.MapModelUploads();
}
