using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Inference.Engine;

namespace Portal.Inference;

public static class InferenceExtensions
{
    /// <summary>Adds the in-process llama.cpp engine (<see cref="IInferenceEngine"/>), configured from section "Inference".</summary>
    public static IHostApplicationBuilder AddInference(this IHostApplicationBuilder builder, Action<InferenceOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddInference(configure);
        return builder;
    }

    public static IServiceCollection AddInference(this IServiceCollection services, Action<InferenceOptions>? configure = null)
    {
        var options = services.AddOptions<InferenceOptions>()
            .BindConfiguration(InferenceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InferenceScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<InferenceScheduler>());
        services.TryAddSingleton<IInferenceEngine, InferenceEngine>();
        return services;
    }
}
