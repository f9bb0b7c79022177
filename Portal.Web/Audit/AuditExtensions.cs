using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Web.Identity;

namespace Portal.Web.Audit;

/// <summary><c>builder.AddPortalAudit()</c> and <c>app.MapPortalAudit()</c>: the log, its search, verification and export.</summary>
public static class AuditExtensions
{
    public static IHostApplicationBuilder AddPortalAudit(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditLog>();
        services.TryAddSingleton<AuditChainVerifier>();
        services.TryAddScoped<AuditSearch>();
        services.TryAddScoped<SignInAudit>();
        services.AddAuthorizationBuilder().AddAuditPolicy();
        return builder;
    }

    /// <summary>Auditors, tenant administrators (their tenant) and platform administrators (every chain) read the log.</summary>
    public static AuthorizationBuilder AddAuditPolicy(this AuthorizationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddPolicy(
            AuditAccess.Policy,
            policy => policy.RequireRole(PortalRoles.Auditor, PortalRoles.TenantAdmin, PortalRoles.PlatformAdmin));
    }

    public static IEndpointRouteBuilder MapPortalAudit(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet(AuditCsvExport.Path, AuditCsvExport.ExportAsync).RequireAuthorization(AuditAccess.Policy);
        return endpoints;
    }
}
