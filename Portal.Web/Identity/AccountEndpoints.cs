using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Audit;

namespace Portal.Web.Identity;

/// <summary>
/// The account endpoints the sign-in page and the shell post to: local sign-in, external sign-in
/// (a challenge on the provider's scheme), sign-out, and switching the active tenant.
/// Forms carry an antiforgery token; <c>UseAntiforgery</c> checks it before these run.
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapPortalAccount(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var account = endpoints.MapGroup("/account");
        account.MapPost("/signin", SignInLocalAsync).AllowAnonymous().RequireRateLimiting(SignInThrottle.SourcePolicy);
        account.MapGet("/signin/{scheme}", ChallengeExternalAsync).AllowAnonymous();
        account.MapPost("/signout", SignOutAsync);
        account.MapPost("/tenant", SwitchTenantAsync).RequireAuthorization();
        endpoints.MapPortalPasswords();
        return endpoints;
    }

    /// <summary>Only a path on this site: never an open redirect to somewhere else (<see cref="LocalReturnUrl"/>).</summary>
    public static string SafeReturnUrl(string? returnUrl) => LocalReturnUrl.OrRoot(returnUrl);

    private static async Task<IResult> SignInLocalAsync(
        [FromForm] string? email,
        [FromForm] string? password,
        [FromForm] string? returnUrl,
        LocalSignIn signIn,
        SignInAudit audit,
        SignInThrottle throttle,
        HttpContext httpContext)
    {
        var back = SafeReturnUrl(returnUrl);
        var source = httpContext.Connection.RemoteIpAddress;
        if (!throttle.MayTry(email ?? "", source))
        {
            await audit.RecordThrottledAsync(email ?? "", httpContext.RequestAborted);
            return Results.Redirect($"{AuthenticationExtensions.SignInPath}?error={SignInThrottle.ThrottledError}&returnUrl={Uri.EscapeDataString(back)}");
        }

        var result = await signIn.SignInAsync(email ?? "", password ?? "", httpContext.RequestAborted);
        await audit.RecordLocalAsync(email ?? "", result, httpContext.RequestAborted);
        if (result.Session is null)
        {
            // One answer for an unknown address, a wrong password, a disabled or locked account: nothing to learn.
            throttle.Failed(email ?? "", source);
            return Results.Redirect($"{AuthenticationExtensions.SignInPath}?error=invalid&returnUrl={Uri.EscapeDataString(back)}");
        }

        await httpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, PortalPrincipal.Create(result.Session));
        return Results.LocalRedirect(back);
    }

    private static async Task<IResult> ChallengeExternalAsync(string scheme, string? returnUrl, IAuthenticationSchemeProvider schemes)
    {
        if (scheme is not (AuthenticationExtensions.EntraScheme or AuthenticationExtensions.OidcScheme)
            || await schemes.GetSchemeAsync(scheme) is null)
        {
            return Results.NotFound($"No sign-in provider named '{scheme}' is configured.");
        }

        return Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) }, [scheme]);
    }

    private static async Task<IResult> SignOutAsync(HttpContext httpContext, IAuthenticationSchemeProvider schemes, IAntiforgery antiforgery)
    {
        // No form field is bound here, so nothing else checks the token: a cross-site post must not sign anyone out.
        if (!await antiforgery.IsRequestValidAsync(httpContext))
        {
            return Results.BadRequest("The sign-out form has expired; reload the page and sign out again.");
        }

        var method = PortalPrincipal.Read(httpContext.User)?.SignInMethod;
        var properties = new AuthenticationProperties { RedirectUri = AuthenticationExtensions.SignInPath };
        if (method is AuthenticationExtensions.EntraScheme or AuthenticationExtensions.OidcScheme && await schemes.GetSchemeAsync(method) is not null)
        {
            // Also end the session at the provider, which then sends the browser back here.
            return Results.SignOut(properties, [CookieAuthenticationDefaults.AuthenticationScheme, method]);
        }

        await httpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Results.LocalRedirect(AuthenticationExtensions.SignInPath);
    }

    private static async Task<IResult> SwitchTenantAsync(
        [FromForm] Guid tenantId, [FromForm] string? returnUrl, PortalSessionFactory sessions, HttpContext httpContext)
    {
        var current = PortalPrincipal.Read(httpContext.User);
        if (current is null)
        {
            return Results.Challenge();
        }

        var session = await sessions.CreateAsync(current.UserId, tenantId, current.SignInMethod, httpContext.RequestAborted);
        if (session is null)
        {
            await httpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(AuthenticationExtensions.SignInPath);
        }

        if (session.Tenant?.Id != tenantId)
        {
            // Not a member there (or no longer): same answer as any other forbidden place.
            return Results.Forbid();
        }

        // Another tenant, the same sign-in: the absolute lifetime keeps counting from the first.
        var principal = PortalPrincipal.Create(session);
        if (SessionLifetime.StartedAt(httpContext.User) is { } started)
        {
            SessionLifetime.Stamp(principal, started);
        }

        await httpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Results.LocalRedirect(SafeReturnUrl(returnUrl));
    }
}
