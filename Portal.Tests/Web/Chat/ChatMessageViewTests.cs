using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Chat;
using Portal.Tests.Web.Shell;
using Portal.Web.Chat;
using Portal.Web.Components.Pages.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>The message component: untrusted model output renders inert, and each state is shown.</summary>
public sealed class ChatMessageViewTests : BunitTest
{
    public ChatMessageViewTests() => Services.AddSingleton<MarkdownRenderer>();

    [Fact]
    public void Answer_HostileMarkup_RendersInert()
    {
        const string hostile = """
            Hello <script>alert('x')</script>
            <img src="x" onerror="alert(1)">
            [click me](javascript:alert(2)) and <a href="javascript:alert(3)" onclick="alert(4)">raw</a>
            <iframe src="https://evil.test"></iframe><div style="color:red" onmouseover="alert(5)">hover</div>
            """;

        var view = Render(Answer(hostile));
        var content = view.Find("[data-testid=content]");

        Assert.Empty(content.QuerySelectorAll("script, img, iframe, [onerror], [onclick], [onmouseover]"));
        Assert.DoesNotContain(content.QuerySelectorAll("a"), a => (a.GetAttribute("href") ?? "").Contains("javascript", StringComparison.OrdinalIgnoreCase));
        // Raw HTML is shown as text the person can read, not dropped silently.
        Assert.Contains("<script>alert('x')</script>", content.TextContent, StringComparison.Ordinal);
        Assert.Contains("onerror=\"alert(1)\"", content.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Answer_CodeBlockAndTable_RenderedAsMarkdown()
    {
        var view = Render(Answer("""
            ```csharp
            var x = 1 < 2;
            ```

            | a | b |
            |---|---|
            | 1 | 2 |
            """));

        Assert.Equal("var x = 1 < 2;", view.Find("[data-testid=content] pre code").TextContent.Trim());
        Assert.Equal(2, view.FindAll("[data-testid=content] table td").Count);
    }

    [Fact]
    public void UserMessage_Markup_ShownAsText()
    {
        var view = Render(new ChatMessageItem { Role = MessageRole.User, Content = "<b>bold?</b>" });

        Assert.Equal("<b>bold?</b>", view.Find("[data-testid=content]").TextContent);
        Assert.Empty(view.FindAll("[data-testid=content] b"));
    }

    [Theory]
    [InlineData(GenerationState.Queued, "queued")]
    [InlineData(GenerationState.Thinking, "thinking")]
    [InlineData(GenerationState.Streaming, "streaming")]
    [InlineData(GenerationState.Stopped, "stopped")]
    [InlineData(GenerationState.Failed, "failed")]
    public void Answer_State_ShownByName(GenerationState state, string shown)
    {
        var view = Render(Answer("partial", state));

        Assert.Equal(shown, view.Find("[data-testid=state]").GetAttribute("data-state"));
        Assert.Contains(shown, view.Find("[data-testid=state]").TextContent, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Answer_Completed_NoStateChipButFiguresCopyAndRegenerate()
    {
        var item = Answer("done", GenerationState.Completed);
        item.CompletionTokens = 42;
        item.TimeToFirstTokenMs = 12.4;
        item.TokensPerSecond = 321.5;

        var view = Render(item, canRegenerate: true);

        Assert.Empty(view.FindAll("[data-testid=state]"));
        Assert.Equal("42 tokens · first token 12 ms · 321.5 tokens/s", view.Find("[data-testid=figures]").TextContent);
        Assert.Single(view.FindAll("[data-testid=copy]"));
        Assert.Single(view.FindAll("[data-testid=regenerate]"));
    }

    [Fact]
    public void Answer_Streaming_NoActionsYet()
    {
        var view = Render(Answer("so far", GenerationState.Streaming), canRegenerate: true);

        Assert.Empty(view.FindAll("[data-testid=copy]"));
        Assert.Empty(view.FindAll("[data-testid=regenerate]"));
    }

    [Fact]
    public void Answer_Failed_ShowsReasonAndPartialText()
    {
        var item = Answer("half an", GenerationState.Failed);
        item.Error = "llama_decode failed: out of memory";

        var view = Render(item);

        Assert.Equal("llama_decode failed: out of memory", view.Find("[data-testid=error]").TextContent.Trim());
        Assert.Contains("half an", view.Find("[data-testid=content]").TextContent, StringComparison.Ordinal);
    }

    private static ChatMessageItem Answer(string content, GenerationState state = GenerationState.Completed) =>
        new() { Id = Guid.NewGuid(), Role = MessageRole.Assistant, Content = content, State = state };

    private IRenderedComponent<ChatMessageView> Render(ChatMessageItem item, bool canRegenerate = false) =>
        Render<ChatMessageView>(p => p.Add(c => c.Item, item).Add(c => c.CanRegenerate, canRegenerate));
}
