using System.Text.RegularExpressions;

namespace Portal.Domain.Policies;

/// <summary>The first input rule a prompt breaks, and why, in words a person reads.</summary>
public sealed record RuleMatch(PolicyRule Rule, string Reason);

/// <summary>
/// Checks a prompt against a policy's input rules: words (whole words, any case), phrases (anywhere,
/// any case) and regular expressions with a timeout. A regular expression that runs out of time
/// refuses the prompt: a rule that could not be checked is not passed over silently.
/// </summary>
public sealed class InputRuleChecker(IEnumerable<PolicyRule> rules)
{
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IReadOnlyList<PolicyRule> rules = [.. rules];

    public RuleMatch? FirstMatch(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var rule in rules)
        {
            try
            {
                if (Matches(rule, text))
                {
                    return new RuleMatch(rule, $"the prompt breaks rule “{rule.Name}”");
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return new RuleMatch(rule, $"rule “{rule.Name}” could not be checked in time, so the prompt is refused");
            }
        }

        return null;
    }

    private static bool Matches(PolicyRule rule, string text) => rule.Kind switch
    {
        PolicyRuleKind.Word => Regex.IsMatch(text, $@"(?<!\w){Regex.Escape(rule.Pattern)}(?!\w)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout),
        PolicyRuleKind.Phrase => text.Contains(rule.Pattern, StringComparison.OrdinalIgnoreCase),
        _ => Regex.IsMatch(text, rule.Pattern, RegexOptions.CultureInvariant, RegexTimeout),
    };

    /// <summary>Why a rule cannot be saved, or null when it is sound.</summary>
    public static string? Problem(PolicyRule rule, bool onOutput)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (string.IsNullOrWhiteSpace(rule.Name))
        {
            return "Every rule needs a name: it is what people are shown when the rule acts.";
        }

        if (string.IsNullOrWhiteSpace(rule.Pattern))
        {
            return $"Rule “{rule.Name}” has nothing to match.";
        }

        if (rule.Kind == PolicyRuleKind.Regex)
        {
            if (onOutput)
            {
                return $"Rule “{rule.Name}”: output rules are words or phrases; a regular expression cannot be checked on a stream without holding the whole answer.";
            }

            try
            {
                _ = new Regex(rule.Pattern, RegexOptions.None, RegexTimeout);
            }
            catch (ArgumentException ex)
            {
                return $"Rule “{rule.Name}” is not a valid regular expression: {ex.Message}";
            }
        }

        return null;
    }
}
