using Bunit;
using MudBlazor;
using Portal.Tests.Web.Shell;
using Portal.Web.Chat;
using Portal.Web.Components.Pages.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>The conversation list: items, selection, search, rename, delete and export links.</summary>
public sealed class ConversationListTests : BunitTest
{
    private static readonly ConversationSummary First = new(Guid.NewGuid(), Guid.NewGuid(), "Llama facts", null, DateTimeOffset.UtcNow);
    private static readonly ConversationSummary Second = new(Guid.NewGuid(), Guid.NewGuid(), "Quarterly report", null, DateTimeOffset.UtcNow.AddHours(-1));

    [Fact]
    public void Items_ShownInOrderWithSelection()
    {
        var list = Render<ConversationList>(p => p.Add(c => c.Items, [First, Second]).Add(c => c.SelectedId, Second.Id));

        var rows = list.FindAll("[data-testid=conversation]");
        Assert.Equal(["Llama facts", "Quarterly report"], rows.Select(r => r.QuerySelector("[data-testid=conversation-title]")!.TextContent));
        Assert.Equal(Second.Id.ToString(), list.Find(".conversation.selected").GetAttribute("data-id"));
        Assert.Equal($"chat/{First.Id}", rows[0].QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void Empty_SaysSoDependingOnSearch()
    {
        var list = Render<ConversationList>(p => p.Add(c => c.Items, []));
        Assert.Equal("No conversations yet.", list.Find("[data-testid=empty]").TextContent);

        list.Render(p => p.Add(c => c.Search, "nothing"));
        Assert.Equal("No conversation matches.", list.Find("[data-testid=empty]").TextContent);
    }

    [Fact]
    public async Task Rename_SavesNewTitleThroughCallback()
    {
        (ConversationSummary Item, string Title)? renamed = null;
        var popovers = Render<MudPopoverProvider>();
        var list = Render<ConversationList>(p => p.Add(c => c.Items, [First]).Add(c => c.OnRename, r => renamed = r));

        await list.Find("[data-testid=conversation-menu] button").ClickAsync(new());
        await popovers.Find("[data-testid=rename]").ClickAsync(new());
        list.Find("input[data-testid=rename-text], [data-testid=rename-text] input").Change("Alpaca facts");
        list.Find("[data-testid=rename-save]").Click();

        Assert.Equal((First, "Alpaca facts"), renamed);
    }

    [Fact]
    public void Delete_RaisesCallbackAndExportLinksPointAtBothFormats()
    {
        ConversationSummary? deleted = null;
        var popovers = Render<MudPopoverProvider>();
        var list = Render<ConversationList>(p => p.Add(c => c.Items, [First]).Add(c => c.OnDelete, d => deleted = d));

        list.Find("[data-testid=conversation-menu] button").Click();
        Assert.Equal($"chat/export/{First.Id}.md", popovers.Find("[data-testid=export-md]").GetAttribute("href"));
        Assert.Equal($"chat/export/{First.Id}.json", popovers.Find("[data-testid=export-json]").GetAttribute("href"));
        popovers.Find("[data-testid=delete]").Click();

        Assert.Equal(First, deleted);
    }

    [Fact]
    public void Search_TypedText_RaisesSearchChanged()
    {
        string? searched = null;
        var list = Render<ConversationList>(p => p.Add(c => c.Items, [First]).Add(c => c.SearchChanged, s => searched = s));

        list.Find("input[data-testid=search], [data-testid=search] input").Input("llama");

        list.WaitForAssertion(() => Assert.Equal("llama", searched), TimeSpan.FromSeconds(10));
    }
}
