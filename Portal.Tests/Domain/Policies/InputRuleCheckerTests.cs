using Portal.Domain.Policies;

namespace Portal.Tests.Domain.Policies;

public sealed class InputRuleCheckerTests
{
    [Theory]
    [InlineData("What is the Project Falcon budget?", "falcon", true)]
    [InlineData("FALCON!", "falcon", true)]
    [InlineData("Falconry is a sport.", "falcon", false)]
    [InlineData("The peregrine-falcon flies.", "falcon", true)]
    public void Word_MatchesWholeWordsInAnyCase(string prompt, string word, bool refused)
    {
        var checker = new InputRuleChecker([new PolicyRule("codename", PolicyRuleKind.Word, word)]);

        var match = checker.FirstMatch(prompt);

        Assert.Equal(refused, match is not null);
        if (refused)
        {
            Assert.Equal("the prompt breaks rule “codename”", match!.Reason);
        }
    }

    [Theory]
    [InlineData("please share the SALARY BANDS now", true)]
    [InlineData("salary of the bands", false)]
    public void Phrase_MatchesAnywhereInAnyCase(string prompt, bool refused)
    {
        var checker = new InputRuleChecker([new PolicyRule("pay", PolicyRuleKind.Phrase, "salary bands")]);

        Assert.Equal(refused, checker.FirstMatch(prompt) is not null);
    }

    [Fact]
    public void Regex_MatchesAndNamesTheRule()
    {
        var checker = new InputRuleChecker([
            new PolicyRule("words", PolicyRuleKind.Word, "never-in-this-text"),
            new PolicyRule("ticket numbers", PolicyRuleKind.Regex, @"INC-\d{5}"),
        ]);

        Assert.Null(checker.FirstMatch("INC-12 is too short"));
        Assert.Equal("ticket numbers", checker.FirstMatch("see INC-48213 please")!.Rule.Name);
    }

    [Fact]
    public void Regex_ThatRunsOutOfTime_RefusesAndSaysSo()
    {
        // Catastrophic backtracking: (a+)+$ against many a's and a final b.
        var checker = new InputRuleChecker([new PolicyRule("slow", PolicyRuleKind.Regex, "(a+)+$")]);

        var match = checker.FirstMatch(new string('a', 40) + "b");

        Assert.NotNull(match);
        Assert.Equal("rule “slow” could not be checked in time, so the prompt is refused", match.Reason);
    }

    [Theory]
    [InlineData("", PolicyRuleKind.Word, "x", false, "Every rule needs a name: it is what people are shown when the rule acts.")]
    [InlineData("r", PolicyRuleKind.Phrase, " ", false, "Rule “r” has nothing to match.")]
    [InlineData("r", PolicyRuleKind.Regex, "(", false, "Rule “r” is not a valid regular expression:")]
    [InlineData("r", PolicyRuleKind.Regex, "a+", true, "Rule “r”: output rules are words or phrases;")]
    public void Problem_ExplainsWhyARuleCannotBeSaved(string name, PolicyRuleKind kind, string pattern, bool onOutput, string expected)
    {
        Assert.StartsWith(expected, InputRuleChecker.Problem(new PolicyRule(name, kind, pattern), onOutput), StringComparison.Ordinal);
    }
}
