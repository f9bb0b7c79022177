using MudBlazor.Services;
using Portal.Web.Chat;
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

    private static void AddRazorComponents(this IHostApplicationBuilder builder)
    {
        var longestMessage = builder.Configuration.GetSection(ChatOptions.SectionName).Get<ChatOptions>()?.MaxMessageLength ?? new ChatOptions().MaxMessageLength;
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(hub => hub.MaximumReceiveMessageSize = CircuitMessageBytes(longestMessage));
    }

    /// <summary>
    /// The composer sends its whole text with every input event: the circuit's default 32 KB message limit
    /// silently dropped the connection for a long message (32,000 CJK characters are 96 KB of UTF-8).
    /// Six bytes per character covers JSON's longest escape (a lone surrogate as <c>\uD800</c>), plus room for the envelope.
    /// </summary>
    private static long CircuitMessageBytes(int longestMessage) => (6L * longestMessage) + (64 * 1024);

    private static void AddErrorHandling(this IHostApplicationBuilder builder) =>
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();

    private static void AddMudBlazor(this IHostApplicationBuilder builder) =>
        builder.Services.AddMudServices();
}
