using System.Text;

namespace Portal.Domain.Policies;

/// <summary>
/// Output rules on a stream. Text is passed on as it comes, except a tail that could still grow into
/// a blocked word or phrase: that tail is held until it either completes a match (replaced by
/// <see cref="Replacement"/>, so the phrase never reaches a client, however it was split into tokens)
/// or can no longer match (released). So text that cannot match waits at most the longest rule's length.
/// Words match whole words only, phrases anywhere; both in any case.
/// </summary>
public sealed class OutputRuleFilter
{
    public const string Replacement = "[held back]";

    private readonly IReadOnlyList<PolicyRule> rules;
    private readonly StringBuilder pending = new();
    private readonly List<PolicyRule> matched = [];
    private char? lastReleased;

    public OutputRuleFilter(IEnumerable<PolicyRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        this.rules = [.. rules.Where(r => r.Kind != PolicyRuleKind.Regex && r.Pattern.Length > 0)];
        LongestRule = this.rules.Count == 0 ? 0 : this.rules.Max(r => r.Pattern.Length);
    }

    /// <summary>The most characters ever held back at once.</summary>
    public int LongestRule { get; }

    /// <summary>Rules that matched so far, in order, each once.</summary>
    public IReadOnlyList<PolicyRule> Matched => matched;

    /// <summary>Characters held now.</summary>
    public int Holding => pending.Length;

    /// <summary>Takes the next piece of the stream; returns the text that may go out now (possibly empty).</summary>
    public string Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (rules.Count == 0)
        {
            return text;
        }

        pending.Append(text);
        return Drain(final: false);
    }

    /// <summary>The stream ended: releases what is held, with any last match replaced.</summary>
    public string Flush() => rules.Count == 0 ? "" : Drain(final: true);

    /// <summary>Filters a whole text at once (the same rules as the stream).</summary>
    public string Apply(string text) => Push(text) + Flush();

    private string Drain(bool final)
    {
        var output = new StringBuilder();
        while (FirstCompleteMatch(final) is { } match)
        {
            Release(output, match.Start);
            output.Append(Replacement);
            lastReleased = ']';
            pending.Remove(0, match.Rule.Pattern.Length);
            if (!matched.Contains(match.Rule))
            {
                matched.Add(match.Rule);
            }
        }

        Release(output, final ? pending.Length : pending.Length - HeldTail());
        return output.ToString();
    }

    private void Release(StringBuilder output, int count)
    {
        if (count > 0)
        {
            output.Append(pending, 0, count);
            lastReleased = pending[count - 1];
            pending.Remove(0, count);
        }
    }

    /// <summary>The earliest match that is certain now (a word needs the character after it, or the end).</summary>
    private (int Start, PolicyRule Rule)? FirstCompleteMatch(bool final)
    {
        (int Start, PolicyRule Rule)? best = null;
        foreach (var rule in rules)
        {
            for (var start = 0; start + rule.Pattern.Length <= pending.Length && (best is null || start <= best.Value.Start); start++)
            {
                if (!MatchesAt(rule.Pattern, start, rule.Pattern.Length))
                {
                    continue;
                }

                if (rule.Kind == PolicyRuleKind.Word)
                {
                    var end = start + rule.Pattern.Length;
                    var after = end < pending.Length ? pending[end] : (char?)null;
                    if (!BoundaryBefore(start) || (after is null && !final) || (after is { } a && IsWordChar(a)))
                    {
                        continue;
                    }
                }

                if (best is null || start < best.Value.Start || rule.Pattern.Length > best.Value.Rule.Pattern.Length)
                {
                    best = (start, rule);
                }

                break;
            }
        }

        return best;
    }

    /// <summary>The longest tail of the held text that could still become a match.</summary>
    private int HeldTail()
    {
        var held = 0;
        foreach (var rule in rules)
        {
            // A word that is complete but not yet followed by anything may still be part of a longer word.
            var longest = Math.Min(rule.Kind == PolicyRuleKind.Word ? rule.Pattern.Length : rule.Pattern.Length - 1, pending.Length);
            for (var length = longest; length > held; length--)
            {
                var start = pending.Length - length;
                if (MatchesAt(rule.Pattern, start, length) && (rule.Kind != PolicyRuleKind.Word || BoundaryBefore(start)))
                {
                    held = length;
                    break;
                }
            }
        }

        return held;
    }

    private bool MatchesAt(string pattern, int start, int length)
    {
        for (var i = 0; i < length; i++)
        {
            if (char.ToLowerInvariant(pending[start + i]) != char.ToLowerInvariant(pattern[i]))
            {
                return false;
            }
        }

        return true;
    }

    private bool BoundaryBefore(int start)
    {
        var before = start > 0 ? pending[start - 1] : lastReleased;
        return before is not { } b || !IsWordChar(b);
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
