namespace Portal.Web.Endpoints;

/// <summary>The one check of an endpoint's base URL, for the admin form and for every save.</summary>
public static class EndpointUrl
{
    /// <summary>
    /// The URL with its trailing slash removed, or null and the reason: only an absolute http or https
    /// URL with a host, no user name or password in it (the key has its own field, kept protected), no
    /// query and no fragment, at most <see cref="Domain.Models.ModelEndpoint.MaxBaseUrlLength"/> characters.
    /// </summary>
    public static string? Normalize(string? text, out string? error)
    {
        text = text?.Trim() ?? "";
        error = text switch
        {
            "" => "Enter the engine's base URL, e.g. http://gpu-01:8000/v1.",
            { Length: > Domain.Models.ModelEndpoint.MaxBaseUrlLength } => $"The base URL has {text.Length} characters; the most is {Domain.Models.ModelEndpoint.MaxBaseUrlLength}.",
            _ when !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown || uri.Host.Length == 0
                => "The base URL must be an absolute URL such as http://gpu-01:8000/v1.",
            _ when new Uri(text) is { Scheme: not ("http" or "https") } => "The base URL must start with http:// or https://.",
            _ when new Uri(text).UserInfo.Length > 0 => "Leave the user name and password out of the URL; put the key in the API key field.",
            _ when new Uri(text).Query.Length > 0 || text.Contains('?', StringComparison.Ordinal) => "The base URL cannot have a query (?...).",
            _ when new Uri(text).Fragment.Length > 0 || text.Contains('#', StringComparison.Ordinal) => "The base URL cannot have a fragment (#...).",
            _ => null,
        };
        return error is null ? new Uri(text).GetLeftPart(UriPartial.Path).TrimEnd('/') : null;
    }
}
