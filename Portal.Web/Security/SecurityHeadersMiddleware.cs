namespace Portal.Web.Security;

/// <summary>
/// Adds the browser hardening headers to every answer: the Content-Security-Policy (with this request's
/// nonce), nosniff, no referrer, and HSTS when the request came over HTTPS.
/// </summary>
internal sealed class SecurityHeadersMiddleware : IMiddleware
{
    /// <summary>One year, as browsers' preload lists expect; only ever sent over HTTPS.</summary>
    private const string Hsts = "max-age=31536000; includeSubDomains";

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy.For(ContentSecurityPolicy.NonceFor(context));
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY"; // frame-ancestors for browsers that predate it
            if (context.Request.IsHttps)
            {
                headers.StrictTransportSecurity = Hsts;
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
