namespace Portal.Web.Identity;

/// <summary>
/// The one check for every return URL the portal reads (sign-in form, external challenge, tenant switch):
/// a path on this site or "/". Browsers drop tabs and line breaks and read '\' as '/', so
/// <c>/%09/evil.example</c> becomes <c>//evil.example</c>, another site: any control character,
/// white space or backslash refuses the whole URL.
/// </summary>
public static class LocalReturnUrl
{
    public static string OrRoot(string? returnUrl) => IsLocal(returnUrl) ? returnUrl! : "/";

    public static bool IsLocal(string? url) =>
        url is { Length: > 0 }
        && url[0] == '/'
        && (url.Length == 1 || url[1] != '/')
        && !url.Any(c => c == '\\' || char.IsControl(c) || char.IsWhiteSpace(c));
}
