using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Portal.Web.Identity;

/// <summary>
/// The cookie carries a snapshot of the person's rights. It is rebuilt from the database every few
/// minutes of its life, and at once after an admin changed the person's or the tenant's access
/// (<see cref="SessionInvalidation"/>): a disabled person, one who lost the active tenant (membership
/// disabled or removed, tenant suspended), or one whose password changed since the session began, is signed out; changed roles take effect without a new sign-in.
/// However active, a session ends <see cref="PortalSessionOptions.AbsoluteLifetime"/> after its sign-in.
/// </summary>
internal static class PortalSessionRevalidation
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    /// <summary>A new sign-in starts the absolute lifetime (a tenant switch carries the old start over).</summary>
    public static Task StampStartAsync(CookieSigningInContext context)
    {
        if (context.Principal is { } principal)
        {
            SessionLifetime.Stamp(principal, context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
        }

        return Task.CompletedTask;
    }

    /// <summary>Whether the session began longer ago than the absolute lifetime allows (or says nothing of when it began).</summary>
    public static bool IsExpired(ClaimsPrincipal? principal, IServiceProvider services)
    {
        var started = SessionLifetime.StartedAt(principal);
        var lifetime = services.GetRequiredService<IOptions<PortalSessionOptions>>().Value.AbsoluteLifetime;
        return started is null || services.GetRequiredService<TimeProvider>().GetUtcNow() - started.Value >= lifetime;
    }

    public static async Task ValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var current = PortalPrincipal.Read(context.Principal);
        if (current is null)
        {
            await RejectAsync(context);
            return;
        }

        var services = context.HttpContext.RequestServices;
        if (IsExpired(context.Principal, services))
        {
            await RejectAsync(context);
            return;
        }

        if (!IsDue(context, current, services))
        {
            return;
        }

        var fresh = await services.GetRequiredService<PortalSessionFactory>()
            .CreateAsync(current.UserId, current.Tenant?.Id, current.SignInMethod, context.HttpContext.RequestAborted);
        var lostActiveTenant = current.Tenant is not null && fresh?.Tenant?.Id != current.Tenant.Id;
        if (fresh is null || lostActiveTenant || (fresh.Tenant is null && !fresh.IsPlatformAdmin) || fresh.CredentialsVersion != current.CredentialsVersion)
        {
            await RejectAsync(context);
            return;
        }

        var renewed = PortalPrincipal.Create(fresh);
        SessionLifetime.Stamp(renewed, SessionLifetime.StartedAt(context.Principal)!.Value);
        context.ReplacePrincipal(renewed);
        context.ShouldRenew = true;
    }

    private static bool IsDue(CookieValidatePrincipalContext context, PortalSession current, IServiceProvider services)
    {
        if (context.Properties.IssuedUtc is not { } issued)
        {
            return true;
        }

        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var invalidation = services.GetRequiredService<SessionInvalidation>();
        return now - issued >= Interval
            || invalidation.ChangedSince(current.UserId, issued)
            || current.Tenant is { } tenant && invalidation.ChangedSince(tenant.Id, issued);
    }

    private static async Task RejectAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }
}
