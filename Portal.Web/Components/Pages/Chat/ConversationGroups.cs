using Portal.Web.Chat;

namespace Portal.Web.Components.Pages.Chat;

/// <summary>One heading of the conversation list ("Today", "Yesterday", ...) with its conversations, newest first.</summary>
public sealed record ConversationGroup(string Heading, IReadOnlyList<ConversationSummary> Items);

/// <summary>
/// Groups conversations by the day they were last used, as chat products do: today, yesterday, the
/// last 7 days, older. Days are counted in the offset of the clock given (the server's local time).
/// </summary>
public static class ConversationGroups
{
    public static IReadOnlyList<ConversationGroup> Of(IEnumerable<ConversationSummary> items, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(items);
        var today = DateOnly.FromDateTime(now.DateTime);
        return items
            .OrderByDescending(c => c.UpdatedAt)
            .GroupBy(c => HeadingOf(DateOnly.FromDateTime(c.UpdatedAt.ToOffset(now.Offset).DateTime), today))
            .Select(g => new ConversationGroup(g.Key, [.. g]))
            .ToList();
    }

    private static string HeadingOf(DateOnly day, DateOnly today) => (today.DayNumber - day.DayNumber) switch
    {
        <= 0 => "Today",
        1 => "Yesterday",
        < 7 => "Last 7 days",
        _ => "Older",
    };
}
