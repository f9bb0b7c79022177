using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Portal.Data;
using Microsoft.AspNetCore.Identity;

namespace Portal.Web.Identity;

/// <summary>
/// The forms of the password and invitation pages post here (antiforgery checked by <c>UseAntiforgery</c>):
/// setting a password with a one-time link, changing one's password, accepting or declining an invitation.
/// Each answers with a redirect to its page, carrying only a fixed outcome code.
/// </summary>
public static class PasswordEndpoints
{
    public const string ChangePasswordPath = "/account/password";

    public const string InvitationsPath = "/account/invitations";

    public static IEndpointRouteBuilder MapPortalPasswords(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(InvitationOptions.SetupPath, SetUpAsync).AllowAnonymous().RequireRateLimiting(SignInThrottle.SourcePolicy);
        endpoints.MapPost(ChangePasswordPath, ChangeAsync).RequireAuthorization();
        endpoints.MapPost($"{InvitationsPath}/{{invitationId:guid}}/accept", (Guid invitationId, PendingInvitations invitations, HttpContext http) =>
            DecideAsync(http, userId => invitations.AcceptAsync(userId, invitationId, http.RequestAborted), "accepted")).RequireAuthorization();
        endpoints.MapPost($"{InvitationsPath}/{{invitationId:guid}}/decline", (Guid invitationId, PendingInvitations invitations, HttpContext http) =>
            DecideAsync(http, userId => invitations.DeclineAsync(userId, invitationId, http.RequestAborted), "declined")).RequireAuthorization();
        return endpoints;
    }

    private static async Task<IResult> SetUpAsync(
        [FromForm] string? token,
        [FromForm] string? password,
        [FromForm] string? confirmPassword,
        [FromForm] string? displayName,
        [FromForm] string? decline,
        PasswordSetup setup,
        HttpContext httpContext)
    {
        var back = $"{InvitationOptions.SetupPath}?token={Uri.EscapeDataString(token ?? "")}";
        if (decline is not null)
        {
            var declined = await setup.DeclineAsync(token, httpContext.RequestAborted);
            return Results.LocalRedirect(declined ? $"{InvitationOptions.SetupPath}?declined=1" : back);
        }

        var result = await setup.CompleteAsync(token, password, confirmPassword, displayName, httpContext.RequestAborted);
        if (result.Succeeded)
        {
            // The same answer whether an account was created or the address already had one.
            return Results.LocalRedirect($"{AuthenticationExtensions.SignInPath}?setup={(result.Kind == SetupLinkKind.Reset ? "reset" : "done")}");
        }

        return Results.LocalRedirect(result.PasswordProblem is null
            ? back
            : $"{back}&error={(result.PasswordProblem == PasswordSetup.PasswordsDiffer ? "differ" : "rules")}");
    }

    private static async Task<IResult> ChangeAsync(
        [FromForm] string? currentPassword,
        [FromForm] string? newPassword,
        [FromForm] string? confirmPassword,
        PasswordChange change,
        PortalSessionFactory sessions,
        SignInThrottle throttle,
        UserManager<LocalAccount> users,
        HttpContext httpContext)
    {
        if (PortalPrincipal.Read(httpContext.User) is not { } current)
        {
            return Results.Challenge();
        }

        // A stolen session must not be able to guess the password here faster than at the sign-in form.
        var key = (await users.FindByIdAsync(current.UserId.ToString()))?.Email ?? current.UserId.ToString();
        var source = httpContext.Connection.RemoteIpAddress;
        if (!throttle.MayTry(key, source))
        {
            return Results.LocalRedirect($"{ChangePasswordPath}?error={SignInThrottle.ThrottledError}");
        }

        var outcome = await change.ChangeAsync(current.UserId, currentPassword, newPassword, confirmPassword, httpContext.RequestAborted);
        if (outcome == PasswordChangeOutcome.WrongCurrentPassword)
        {
            throttle.Failed(key, source);
        }

        if (outcome != PasswordChangeOutcome.Changed)
        {
            return Results.LocalRedirect($"{ChangePasswordPath}?error={outcome switch
            {
                PasswordChangeOutcome.WrongCurrentPassword => "current",
                PasswordChangeOutcome.PasswordsDiffer => "differ",
                PasswordChangeOutcome.NoLocalAccount => "external",
                _ => "rules",
            }}");
        }

        // This session carries on with the new credentials version; the absolute lifetime keeps counting from the sign-in.
        var session = await sessions.CreateAsync(current.UserId, current.Tenant?.Id, current.SignInMethod, httpContext.RequestAborted);
        if (session is null)
        {
            await httpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(AuthenticationExtensions.SignInPath);
        }

        var principal = PortalPrincipal.Create(session);
        if (SessionLifetime.StartedAt(httpContext.User) is { } started)
        {
            SessionLifetime.Stamp(principal, started);
        }

        await httpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Results.LocalRedirect($"{ChangePasswordPath}?changed=1");
    }

    private static async Task<IResult> DecideAsync(HttpContext httpContext, Func<Guid, Task<string>> decide, string outcome)
    {
        if (PortalPrincipal.Read(httpContext.User) is not { } current)
        {
            return Results.Challenge();
        }

        // No form field is bound here, so nothing else checks the token: a cross-site post must not accept for anyone.
        if (!await httpContext.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(httpContext))
        {
            return Results.BadRequest("The form has expired; reload the page and try again.");
        }

        try
        {
            await decide(current.UserId);
            return Results.LocalRedirect($"{InvitationsPath}?{outcome}=1");
        }
        catch (InvitationException)
        {
            return Results.LocalRedirect($"{InvitationsPath}?error=gone");
        }
    }
}
