namespace Portal.Web.Security;

/// <summary>
/// The SignalR endpoints (the chat hub and Blazor's circuit hub) authenticate by cookie, so a page of
/// another site could open them in the signed-in person's name (cross-site WebSocket hijacking). A browser
/// always says where a request comes from: an <c>Origin</c> other than the portal's own is refused.
/// Clients that are not browsers send no Origin and are judged by their credentials alone.
/// </summary>
internal sealed class SignalROriginCheck : IMiddleware
{
    private static readonly PathString[] HubPaths = [new("/_blazor"), new(Chat.ChatHub.Path)];

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (HubPaths.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
            && request.Headers.Origin is { Count: > 0 } origin
            && !IsOwnOrigin(origin.ToString(), request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        return next(context);
    }

    private static bool IsOwnOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}
