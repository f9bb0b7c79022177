using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Portal.Web.Identity;

namespace Portal.Web.Admin;

/// <summary>
/// Re-reads a cookie's person from the database on each request: a disabled person, or one whose
/// membership in the active tenant was disabled or removed (or whose tenant was suspended), is
/// signed out; changed roles replace the cookie's roles at once.
/// </summary>
internal static class SessionRevalidation
{
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (PortalPrincipal.Read(context.Principal) is not { } current)
        {
            return;
        }

        var sessions = context.HttpContext.RequestServices.GetRequiredService<PortalSessionFactory>();
        var fresh = await sessions.CreateAsync(current.UserId, current.Tenant?.Id, current.SignInMethod, context.HttpContext.RequestAborted);
        var lostTenant = current.Tenant is not null && fresh?.Tenant?.Id != current.Tenant.Id;
        if (fresh is null || lostTenant || (fresh.Tenant is null && !fresh.IsPlatformAdmin))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }

        if (!Same(fresh, current))
        {
            context.ReplacePrincipal(PortalPrincipal.Create(fresh));
            context.ShouldRenew = true;
        }
    }

    private static bool Same(PortalSession a, PortalSession b) =>
        a.UserId == b.UserId
        && a.DisplayName == b.DisplayName
        && a.IsPlatformAdmin == b.IsPlatformAdmin
        && a.Tenant == b.Tenant
        && a.TenantChoices.SequenceEqual(b.TenantChoices);
}
