using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Portal.Web.Admin;

/// <summary>
/// Hooks on the portal cookie (set up by the identity code), chained after its own events:
/// API calls (<c>/api/...</c>) get 401 and 403 instead of redirects to the sign-in page.
/// </summary>
internal sealed class ApiCookieEvents : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options)
    {
        if (name != CookieAuthenticationDefaults.AuthenticationScheme)
        {
            return;
        }

        var events = options.Events;
        var toLogin = events.OnRedirectToLogin;
        var toAccessDenied = events.OnRedirectToAccessDenied;
        events.OnRedirectToLogin = context => IsApi(context) ? Status(context, StatusCodes.Status401Unauthorized) : toLogin(context);
        events.OnRedirectToAccessDenied = context => IsApi(context) ? Status(context, StatusCodes.Status403Forbidden) : toAccessDenied(context);
    }

    private static bool IsApi(RedirectContext<CookieAuthenticationOptions> context) =>
        context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    private static Task Status(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;

        // An API caller wants the status, not the portal's "not found" page re-executed in its place.
        if (context.HttpContext.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
        {
            statusPages.Enabled = false;
        }

        return Task.CompletedTask;
    }
}
