using ColorCode;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace Portal.Web.Chat;

/// <summary>
/// A Markdig extension that renders code blocks highlighted on the server (ColorCode's class formatter:
/// spans with class names, coloured by app.css in both themes) under a bar with the language and a copy
/// button; wwwroot/js/chat.js copies the block's text. A language ColorCode does not know is shown plain.
/// The output still passes through the sanitizer, like everything the renderer makes.
/// </summary>
public sealed class HighlightedCodeBlocks : IMarkdownExtension
{
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
    }

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
        if (renderer is HtmlRenderer html)
        {
            html.ObjectRenderers.RemoveAll(r => r is CodeBlockRenderer);
            html.ObjectRenderers.AddIfNotAlready(new Renderer());
        }
    }

    /// <summary>The text of a block as written, lines joined with \n, without a trailing line end.</summary>
    public static string CodeOf(CodeBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var lines = block.Lines;
        return string.Join("\n", lines.Lines.Take(lines.Count).Select(line => line.Slice.ToString()));
    }

    private sealed class Renderer : HtmlObjectRenderer<CodeBlock>
    {
        protected override void Write(HtmlRenderer renderer, CodeBlock block)
        {
            var info = (block as FencedCodeBlock)?.Info?.Trim();
            var language = string.IsNullOrEmpty(info) ? null : Languages.FindById(info);
            var code = CodeOf(block);
            renderer.EnsureLine();
            renderer.Write("<div class=\"code-block\"><div class=\"code-block-bar\"><span class=\"code-language\">")
                .WriteEscape(string.IsNullOrEmpty(info) ? "code" : info)
                .Write("</span><button type=\"button\" class=\"code-copy\" aria-label=\"Copy code\"><span class=\"copy\">Copy</span><span class=\"copied\">Copied</span></button></div><pre><code");
            if (language is not null)
            {
                renderer.Write(" class=\"language-").WriteEscape(language.Id).Write('"');
            }

            renderer.Write('>');
            if (language is null)
            {
                renderer.WriteEscape(code);
            }
            else
            {
                renderer.Write(Highlight(code, language));
            }

            renderer.WriteLine("</code></pre></div>");
        }

        // ColorCode wraps its spans in <div><pre>\n…\n</pre></div>; only the spans go into our block.
        private static string Highlight(string code, ILanguage language)
        {
            var html = new HtmlClassFormatter().GetHtmlString(code, language);
            var start = html.IndexOf("<pre>", StringComparison.Ordinal);
            var end = html.LastIndexOf("</pre>", StringComparison.Ordinal);
            if (start < 0 || end <= start)
            {
                return html;
            }

            var inner = html[(start + 5)..end];
            inner = inner.StartsWith("\r\n", StringComparison.Ordinal) ? inner[2..] : inner.StartsWith('\n') ? inner[1..] : inner;
            return inner.TrimEnd('\n', '\r');
        }
    }
}
