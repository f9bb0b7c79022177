namespace Portal.Web.Endpoints;

/// <summary>
/// One endpoint model as a generation needs it: the portal's name for it (the only thing a member's
/// message may name), the remote's URL, model and key (never shown to a member).
/// </summary>
public sealed record EndpointTarget(Guid ModelEntryId, string Name, string BaseUrl, string RemoteModel, string? ApiKey, int MaxOutputTokens, int ParallelRequests)
{
    /// <summary>The OpenAI chat completions route under the base URL.</summary>
    public Uri ChatCompletionsUri => new(BaseUrl.TrimEnd('/') + "/chat/completions");

    /// <summary>Only the name: a target is logged and must never print its key.</summary>
    public override string ToString() => Name;
}
