namespace Portal.Web.Accounting;

/// <summary>What a quota counter measures.</summary>
public enum QuotaKind
{
    TokensPerDay,
    TokensPerMonth,
    RequestsPerMinute,
    ConcurrentGenerations,
}

/// <summary>
/// One counter a request charges: a tenant's (<see cref="UserKey"/> empty) or a person's, in one
/// window, with its limit (null: counted, not limited) and the instant the window ends.
/// </summary>
public sealed record QuotaLimit(QuotaKind Kind, Guid UserKey, string Window, long? Max, DateTimeOffset? EndsAt)
{
    public bool IsTokens => Kind is QuotaKind.TokensPerDay or QuotaKind.TokensPerMonth;

    public bool IsTenantWide => UserKey == Guid.Empty;

    /// <summary>"your tenant's daily token limit (100,000 tokens)" and the like.</summary>
    public string Describe()
    {
        var whose = IsTenantWide ? "your tenant's" : "your";
        return Kind switch
        {
            QuotaKind.TokensPerDay => $"{whose} daily token limit ({Max:N0} tokens)",
            QuotaKind.TokensPerMonth => $"{whose} monthly token limit ({Max:N0} tokens)",
            QuotaKind.RequestsPerMinute => $"{whose} limit of {Max:N0} requests per minute",
            _ => $"{whose} limit of {Max:N0} answers written at the same time",
        };
    }
}
