using MudBlazor;

namespace Portal.Web.Shell;

/// <summary>The portal's MudBlazor theme: system fonts only, since nothing may be fetched from the internet.</summary>
public static class PortalTheme
{
    public static MudTheme Theme { get; } = new()
    {
        Typography = new Typography
        {
            Default = new DefaultTypography
            {
                FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Helvetica", "Arial", "sans-serif"],
            },
        },
    };
}
