using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Portal.Web.Identity;

/// <summary>
/// The cookie carries a snapshot of the person's rights. Every few minutes of its life the snapshot is
/// rebuilt from the database: a disabled person (or one whose last membership went) is signed out,
/// and changed roles take effect without a new sign-in.
/// </summary>
internal static class PortalSessionRevalidation
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var current = PortalPrincipal.Read(context.Principal);
        if (current is null)
        {
            await RejectAsync(context);
            return;
        }

        var services = context.HttpContext.RequestServices;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (context.Properties.IssuedUtc is { } issued && now - issued < Interval)
        {
            return;
        }

        var fresh = await services.GetRequiredService<PortalSessionFactory>()
            .CreateAsync(current.UserId, current.Tenant?.Id, current.SignInMethod, context.HttpContext.RequestAborted);
        if (fresh is null)
        {
            await RejectAsync(context);
            return;
        }

        context.ReplacePrincipal(PortalPrincipal.Create(fresh));
        context.ShouldRenew = true;
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
