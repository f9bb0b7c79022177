using Ganss.Xss;
using Markdig;

namespace Portal.Web.Chat;

/// <summary>
/// Turns model output (untrusted) into safe HTML: Markdig with raw HTML disabled (it is shown as
/// text), then HtmlSanitizer as a second fence (no script, no event handlers, only http, https and
/// mailto links). Code blocks and pipe tables are kept.
/// </summary>
public sealed class MarkdownRenderer
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .UseTaskLists()
        .DisableHtml()
        .Use<HighlightedCodeBlocks>()
        .Build();

    public string ToSafeHtml(string? markdown)
    {
        var html = Markdown.ToHtml(markdown ?? "", Pipeline);
        return CreateSanitizer().Sanitize(html);
    }

    // A sanitizer per call: its settings are mutable and it is cheap next to parsing.
    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("http");
        sanitizer.AllowedSchemes.Add("https");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowedTags.Remove("form");
        sanitizer.AllowedTags.Remove("input");
        sanitizer.AllowedTags.Add("input"); // task-list check boxes only; sanitizer drops their handlers
        sanitizer.AllowedAttributes.Add("class");
        sanitizer.AllowedAttributes.Add("aria-label"); // the code blocks' copy buttons
        MarkdownImagePolicy.Apply(sanitizer);
        sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { TagName: "A" } link)
            {
                link.SetAttribute("rel", "noopener noreferrer nofollow");
                link.SetAttribute("target", "_blank");
            }
        };
        return sanitizer;
    }
}
