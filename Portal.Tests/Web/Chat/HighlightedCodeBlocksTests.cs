using AngleSharp.Html.Parser;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>Code blocks in answers: highlighted on the server, with a copy button, still through the sanitizer.</summary>
public sealed class HighlightedCodeBlocksTests
{
    private static readonly MarkdownRenderer Renderer = new();

    private static AngleSharp.Html.Dom.IHtmlDocument Render(string markdown) => new HtmlParser().ParseDocument(Renderer.ToSafeHtml(markdown));

    [Fact]
    public void KnownLanguage_HighlightedSpansCopyButtonAndTheExactCodeText()
    {
        var html = Render("Look:\n\n```csharp\nvar x = \"<b>\"; // note\nreturn x;\n```\n");

        var block = Assert.Single(html.QuerySelectorAll(".code-block"));
        Assert.Equal("csharp", block.QuerySelector(".code-language")!.TextContent);
        var button = block.QuerySelector("button.code-copy")!;
        Assert.Equal("button", button.GetAttribute("type"));
        Assert.Equal("Copy code", button.GetAttribute("aria-label"));
        Assert.NotEmpty(block.QuerySelectorAll("pre code span.keyword"));
        Assert.NotEmpty(block.QuerySelectorAll("pre code span.comment"));
        Assert.Equal("var x = \"<b>\"; // note\nreturn x;", block.QuerySelector("pre code")!.TextContent);
        Assert.Empty(block.QuerySelectorAll("pre code b"));
    }

    [Fact]
    public void UnknownOrNoLanguage_ShownPlainAndEscaped()
    {
        var html = Render("```brainfart\n<script>alert(1)</script>\n```\n\n    indented <i>code</i>\n");

        var blocks = html.QuerySelectorAll(".code-block");
        Assert.Equal(2, blocks.Length);
        Assert.Equal("brainfart", blocks[0].QuerySelector(".code-language")!.TextContent);
        Assert.Equal("<script>alert(1)</script>", blocks[0].QuerySelector("pre code")!.TextContent);
        Assert.Equal("code", blocks[1].QuerySelector(".code-language")!.TextContent);
        Assert.Equal("indented <i>code</i>", blocks[1].QuerySelector("pre code")!.TextContent);
        Assert.Empty(html.QuerySelectorAll("script, i, pre span"));
    }
}
