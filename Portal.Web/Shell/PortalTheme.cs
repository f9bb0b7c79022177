using MudBlazor;

namespace Portal.Web.Shell;

/// <summary>
/// The portal's MudBlazor theme: system fonts only, since nothing may be fetched from the internet. The
/// status colours and secondary text are darker (light theme) or lighter (dark theme) than MudBlazor's
/// defaults so that text on them meets WCAG AA contrast (axe-core checks it in the browser tests).
/// </summary>
public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            TextSecondary = "rgba(0,0,0,0.70)",
            Info = "#1d4ed8",
            Success = "#15803d",
            Warning = "#b45309",
            Error = "#c62828",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a5a0f5",
            PrimaryContrastText = "#14123a",
            TextSecondary = "rgba(255,255,255,0.72)",
            Info = "#60a5fa",
            InfoContrastText = "#0b1220",
            Success = "#4ade80",
            SuccessContrastText = "#052e16",
            Warning = "#fbbf24",
            WarningContrastText = "#1f1500",
            Error = "#f87171",
            ErrorContrastText = "#2a0707",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
            },
        },
    };
}
