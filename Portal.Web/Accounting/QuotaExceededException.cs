using Portal.Web.Chat;

namespace Portal.Web.Accounting;

/// <summary>A request refused before generation because <paramref name="limit"/> is used up; says when it resets.</summary>
public sealed class QuotaExceededException(QuotaLimit limit, string message) : ChatRequestException(message)
{
    public QuotaLimit Limit { get; } = limit;
}
