using Portal.Web.Chat;
using Portal.Web.Components.Pages.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>The conversation list's date groups: today, yesterday, the last 7 days, older; newest first.</summary>
public sealed class ConversationGroupsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 9, 15, 0, TimeSpan.FromHours(1));

    private static ConversationSummary At(string title, DateTimeOffset updated) => new(Guid.NewGuid(), Guid.NewGuid(), title, null, updated);

    [Fact]
    public void Of_ConversationsOfSeveralDays_GroupedByDayInTheClocksOffset()
    {
        var groups = ConversationGroups.Of(
        [
            At("old", Now.AddDays(-30)),
            At("this morning", Now.AddHours(-1)),
            At("just after midnight here", new DateTimeOffset(2026, 11, 29, 23, 30, 0, TimeSpan.Zero)), // 00:30 at +01:00: today
            At("yesterday evening", Now.AddHours(-14)),
            At("six days ago", Now.AddDays(-6)),
            At("seven days ago", Now.AddDays(-7)),
        ], Now);

        Assert.Equal(["Today", "Yesterday", "Last 7 days", "Older"], groups.Select(g => g.Heading));
        Assert.Equal(["this morning", "just after midnight here"], groups[0].Items.Select(c => c.Title));
        Assert.Equal(["yesterday evening"], groups[1].Items.Select(c => c.Title));
        Assert.Equal(["six days ago"], groups[2].Items.Select(c => c.Title));
        Assert.Equal(["seven days ago", "old"], groups[3].Items.Select(c => c.Title));
    }

    [Fact]
    public void Of_Nothing_NoGroups() => Assert.Empty(ConversationGroups.Of([], Now));
}
