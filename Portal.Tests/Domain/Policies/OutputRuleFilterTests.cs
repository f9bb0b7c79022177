using System.Text;
using Portal.Domain.Policies;

namespace Portal.Tests.Domain.Policies;

public sealed class OutputRuleFilterTests
{
    private static readonly PolicyRule Falcon = new("codename", PolicyRuleKind.Phrase, "Project Falcon");

    /// <summary>Pushes <paramref name="tokens"/> one by one, recording what came out after each.</summary>
    private static (string Output, List<string> Released) Stream(OutputRuleFilter filter, IEnumerable<string> tokens)
    {
        var released = new List<string>();
        var output = new StringBuilder();
        foreach (var token in tokens)
        {
            var passed = filter.Push(token);
            released.Add(passed);
            output.Append(passed);
        }

        output.Append(filter.Flush());
        return (output.ToString(), released);
    }

    [Fact]
    public void BlockedPhrase_SplitAcrossManyTokens_NeverReachesTheClient()
    {
        var filter = new OutputRuleFilter([Falcon]);
        var text = "The plan is called Project Falcon and it is secret.";
        var tokens = text.Select(c => c.ToString()); // one character per token: the hardest split

        var (output, released) = Stream(filter, tokens);

        Assert.Equal("The plan is called [held back] and it is secret.", output);
        Assert.DoesNotContain("Falcon", string.Concat(released), StringComparison.OrdinalIgnoreCase);
        Assert.Equal([Falcon], filter.Matched);
    }

    [Fact]
    public void BlockedPhrase_InAnyCaseAndUnevenTokens_IsHeldBack()
    {
        var filter = new OutputRuleFilter([Falcon]);

        var (output, _) = Stream(filter, ["It is pro", "JECT fa", "lc", "on, ", "really."]);

        Assert.Equal("It is [held back], really.", output);
    }

    [Fact]
    public void TextThatCannotMatch_IsDelayedByNoMoreThanTheLongestRule()
    {
        var filter = new OutputRuleFilter([Falcon, new PolicyRule("short", PolicyRuleKind.Word, "pw")]);
        var text = "Prose about projects, processes and profits, with pp and Pro and Projec in it.";
        var pushed = 0;
        var released = 0;
        foreach (var c in text)
        {
            released += filter.Push(c.ToString()).Length;
            pushed++;
            Assert.True(pushed - released <= filter.LongestRule, $"{pushed - released} characters held after {pushed}");
        }

        Assert.Equal(text, string.Concat(text.Take(released)) + filter.Flush());
    }

    [Fact]
    public void TextWithNoRulePrefix_GoesOutAtOnce()
    {
        var filter = new OutputRuleFilter([Falcon]);

        Assert.Equal("Hello, ", filter.Push("Hello, "));
        Assert.Equal("world", filter.Push("world"));
    }

    [Fact]
    public void Word_OnlyWholeWordsAreHeldBack_AndTheWordWaitsForItsEnd()
    {
        var filter = new OutputRuleFilter([new PolicyRule("pass", PolicyRuleKind.Word, "pass")]);

        Assert.Equal("a ", filter.Push("a pass")); // "pass" could still be "passport"
        Assert.Equal("passport, ", filter.Push("port, "));
        var (output, _) = Stream(filter, ["the pa", "ss", " is here; bypass"]);

        Assert.Equal("the [held back] is here; bypass", output);
    }

    [Fact]
    public void NoRules_PassEverythingThrough() =>
        Assert.Equal("anything", new OutputRuleFilter([]).Push("anything"));
}
