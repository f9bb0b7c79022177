using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Web.Security;

/// <summary><c>builder.AddPortalSecurity()</c> and <c>app.UsePortalSecurity()</c>: browser hardening headers and the hubs' Origin check.</summary>
public static class SecurityExtensions
{
    public static IHostApplicationBuilder AddPortalSecurity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<SecurityHeadersMiddleware>();
        builder.Services.TryAddSingleton<SignalROriginCheck>();
        return builder;
    }

    /// <summary>First in the pipeline, so that every answer (error pages and static files too) carries the headers.</summary>
    public static WebApplication UsePortalSecurity(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<SignalROriginCheck>();
        return app;
    }
}
