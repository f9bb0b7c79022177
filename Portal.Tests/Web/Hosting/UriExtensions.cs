namespace Portal.Tests.Web.Hosting;

internal static class UriExtensions
{
    /// <summary>Path and query of an absolute or relative redirect location.</summary>
    public static string PathAndQuery(this Uri? uri) =>
        uri is null ? "" : uri.IsAbsoluteUri ? uri.PathAndQuery : uri.OriginalString;
}
