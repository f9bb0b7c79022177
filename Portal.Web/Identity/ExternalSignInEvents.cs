using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Portal.Web.Audit;

namespace Portal.Web.Identity;

/// <summary>
/// Hooks an OpenID Connect scheme into the portal: a validated token becomes the portal's own
/// principal (through <see cref="ExternalSignIn"/>), and every way a sign-in can fail ends on the
/// refusal page with a reason instead of an exception page.
/// </summary>
internal static partial class ExternalSignInEvents
{
    public static void Attach(OpenIdConnectOptions options, Func<ClaimsPrincipal, ExternalIdentity?> readIdentity)
    {
        var events = options.Events;
        var tokenValidated = events.OnTokenValidated;
        var authenticationFailed = events.OnAuthenticationFailed;
        var remoteFailure = events.OnRemoteFailure;

        events.OnTokenValidated = async context =>
        {
            await tokenValidated(context);
            if (context.Result is not null)
            {
                return;
            }

            var identity = context.Principal is null ? null : readIdentity(context.Principal);
            if (identity is null)
            {
                await RefuseAsync(context.HttpContext, context.Scheme.Name, SignInRefusal.MissingIdentity, context.HandleResponse);
                return;
            }

            var signIn = context.HttpContext.RequestServices.GetRequiredService<ExternalSignIn>();
            var result = await signIn.SignInAsync(identity, context.HttpContext.RequestAborted);
            if (result.Session is null)
            {
                await RefuseAsync(context.HttpContext, context.Scheme.Name, result.RefusalReason ?? SignInRefusal.ProviderError, context.HandleResponse);
                return;
            }

            await Audit(context.HttpContext).RecordExternalAsync(context.Scheme.Name, result.Session, null, context.HttpContext.RequestAborted);

            // From here on the cookie holds the portal's claims, not the provider's.
            context.Principal = PortalPrincipal.Create(result.Session);
        };

        events.OnAuthenticationFailed = async context =>
        {
            await authenticationFailed(context);
            if (context.Result is not null)
            {
                return;
            }

            var reason = context.Exception is SecurityTokenInvalidAudienceException ? SignInRefusal.WrongAudience : SignInRefusal.InvalidToken;
            LogRefused(Logger(context.HttpContext), context.Scheme.Name, reason, context.Exception);
            await RefuseAsync(context.HttpContext, context.Scheme.Name, reason, context.HandleResponse);
        };

        events.OnRemoteFailure = async context =>
        {
            await remoteFailure(context);
            if (context.Result is not null)
            {
                return;
            }

            LogRefused(Logger(context.HttpContext), context.Scheme.Name, SignInRefusal.ProviderError, context.Failure);
            await RefuseAsync(context.HttpContext, context.Scheme.Name, SignInRefusal.ProviderError, context.HandleResponse);
        };
    }

    private static async Task RefuseAsync(HttpContext httpContext, string scheme, string reason, Action handleResponse)
    {
        await Audit(httpContext).RecordExternalAsync(scheme, null, reason, CancellationToken.None);
        httpContext.Response.Redirect(SignInRefusal.PageUrl(reason));
        handleResponse();
    }

    private static SignInAudit Audit(HttpContext httpContext) => httpContext.RequestServices.GetRequiredService<SignInAudit>();

    private static ILogger Logger(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ExternalSignInEvents));

    [LoggerMessage(Level = LogLevel.Warning, Message = "External sign-in through {Scheme} refused ({Reason})")]
    private static partial void LogRefused(ILogger logger, string scheme, string reason, Exception? exception);
}
