using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Web.Audit;

namespace Portal.Web.Admin;

/// <summary><c>builder.AddPortalAdmin()</c>: tenant and member administration, and the cookie hooks that end revoked sessions.</summary>
public static class AdminExtensions
{
    public static IHostApplicationBuilder AddPortalAdmin(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuditLog>();
        services.TryAddScoped<TenantAdministration>();
        services.TryAddScoped<MemberAdministration>();
        services.TryAddScoped<InvitationAdministration>();
        services.TryAddScoped<ModelAdministration>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<CookieAuthenticationOptions>, ApiCookieEvents>());
        return builder;
    }
}
