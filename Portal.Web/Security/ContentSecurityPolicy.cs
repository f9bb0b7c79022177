using System.Security.Cryptography;

namespace Portal.Web.Security;

/// <summary>
/// The portal's Content-Security-Policy. Scripts: only files served by the portal, plus inline scripts that
/// carry this request's nonce (Blazor's import map is the one); never 'unsafe-eval' or 'unsafe-inline'.
/// Styles allow inline because MudBlazor sets style attributes on its components. Images: the portal
/// and data: only, so nothing a model writes can make the browser call another site. No frames, no
/// plugins, and no other site may frame the portal.
/// </summary>
public static class ContentSecurityPolicy
{
    private const string NonceItem = "portal.csp-nonce";

    /// <summary>This request's nonce, made on first use: give it to any inline script as <c>nonce="..."</c>.</summary>
    public static string NonceFor(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[NonceItem] is not string nonce)
        {
            nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
            context.Items[NonceItem] = nonce;
        }

        return nonce;
    }

    public static string For(string nonce) =>
        "default-src 'self'; "
        + $"script-src 'self' 'nonce-{nonce}'; "
        + "style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; "
        + "font-src 'self' data:; "
        + "connect-src 'self'; "
        + "media-src 'none'; "
        + "object-src 'none'; "
        + "frame-src 'none'; "
        + "worker-src 'self'; "
        + "base-uri 'self'; "
        + "frame-ancestors 'none'";
}
