using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;

namespace Portal.Web.Shell;

/// <summary>
/// A request refused as malformed (a form without a valid antiforgery token, a body that does not
/// bind) is the caller's error: answer 400 with the reason directly, instead of re-running the request
/// against the error page as if the portal had failed (which, for a form, fails again the same way).
/// </summary>
internal sealed class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        string message;
        if (httpContext.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
        {
            message = "The form has expired or did not come from this portal. Reload the page and try again.";
        }
        else if (exception is BadHttpRequestException badRequest)
        {
            message = "The request could not be read: " + badRequest.Message;
        }
        else
        {
            return false;
        }

        httpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        await httpContext.Response.WriteAsync(message, cancellationToken);
        return true;
    }
}
