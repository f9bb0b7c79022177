using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Web.Accounting;

public static class AccountingExtensions
{
    /// <summary>Accounting: options "Portal:Quotas", the quota ledger and its sweeper, usage records with rollups, and fair admission.</summary>
    public static IHostApplicationBuilder AddPortalAccounting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<QuotaOptions>().BindConfiguration(QuotaOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<QuotaLedger>();
        services.TryAddSingleton<UsageAccounting>();
        services.TryAddSingleton<AdmissionGate>();
        services.TryAddScoped<QuotaAdministration>();
        services.TryAddScoped<UsageReports>();
        services.TryAddScoped<CostAdministration>();
        services.AddHostedService<QuotaExpirySweeper>();
        return builder;
    }
}
