using MudBlazor.Services;
using Portal.Web.Components;

namespace Portal.Web.Shell;

/// <summary><c>builder.AddPortalShell()</c>: Blazor with interactive server rendering, and MudBlazor.</summary>
public static class ShellExtensions
{
    public static IHostApplicationBuilder AddPortalShell(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddRazorComponents();
        builder.AddMudBlazor();
        builder.AddErrorHandling();
        return builder;
    }

    /// <summary>The Blazor endpoints: static SSR pages, and the interactive server circuit.</summary>
    public static WebApplication MapPortalShell(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static void AddRazorComponents(this IHostApplicationBuilder builder) =>
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();

    private static void AddErrorHandling(this IHostApplicationBuilder builder) =>
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();

    private static void AddMudBlazor(this IHostApplicationBuilder builder) =>
        builder.Services.AddMudServices();
}
