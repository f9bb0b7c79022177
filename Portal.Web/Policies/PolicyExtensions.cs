using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Web.Audit;

namespace Portal.Web.Policies;

public static class PolicyExtensions
{
    /// <summary>Policies: options "Portal:Policies", the policy editor's service and the retention sweep.</summary>
    public static IHostApplicationBuilder AddPortalPolicies(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PolicyOptions>().BindConfiguration(PolicyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditLog>();
        services.TryAddScoped<PolicyAdministration>();
        services.TryAddScoped<PolicyTrial>();
        services.TryAddSingleton<RetentionJob>();
        if (builder.Configuration.GetValue($"{PolicyOptions.SectionName}:{nameof(PolicyOptions.RunRetention)}", true))
        {
            services.AddHostedService<RetentionSweep>();
        }

        return builder;
    }
}
