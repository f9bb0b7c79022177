using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Domain.Policies;

/// <summary>A turn of a conversation as the model reads it (role "system", "user" or "assistant").</summary>
public sealed record PromptTurn(string Role, string Content);

/// <summary>
/// What a policy puts in front of the model, and the self-check's prompts. The enforced system prompt
/// comes first, then the numbered principles, then the conversation; the person's own text only ever
/// travels in user turns after them, so it cannot remove or replace them.
/// </summary>
public static partial class PolicyPrompt
{
    /// <summary>The policy's system prompt (enforced prompt, then principles), or null when it has neither.</summary>
    public static string? SystemPrompt(TenantPolicy? policy)
    {
        if (policy is null)
        {
            return null;
        }

        var text = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(policy.EnforcedSystemPrompt))
        {
            text.Append(policy.EnforcedSystemPrompt.Trim());
        }

        var principles = policy.PrincipleList;
        if (principles.Count > 0)
        {
            if (text.Length > 0)
            {
                text.Append("\n\n");
            }

            text.Append("Follow these principles:");
            for (var i = 0; i < principles.Count; i++)
            {
                text.Append('\n').Append(i + 1).Append(". ").Append(principles[i]);
            }
        }

        return text.Length == 0 ? null : text.ToString();
    }

    /// <summary>The turns the model reads: the policy's system prompt first, then the conversation (any system turn in it is dropped).</summary>
    public static IReadOnlyList<PromptTurn> Compose(TenantPolicy? policy, IEnumerable<PromptTurn> conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var turns = new List<PromptTurn>();
        if (SystemPrompt(policy) is { } system)
        {
            turns.Add(new PromptTurn("system", system));
        }

        turns.AddRange(conversation.Where(t => t.Role != "system"));
        return turns;
    }

    /// <summary>The self-check's review request: the principles, the question and the draft.</summary>
    public static IReadOnlyList<PromptTurn> Critique(TenantPolicy policy, string question, string draft)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var principles = policy.PrincipleList;
        var list = string.Join('\n', principles.Select((p, i) => $"{i + 1}. {p}"));
        return
        [
            new("system", $"You review an assistant's draft answer against these principles:\n{list}\n" +
                "If the draft keeps every principle, reply exactly OK. Otherwise reply PRINCIPLE <number>: and say what is wrong."),
            new("user", $"Question:\n{question}\n\nDraft answer:\n{draft}"),
        ];
    }

    /// <summary>The revision request: the conversation as answered, the draft, and the review to act on.</summary>
    public static IReadOnlyList<PromptTurn> Revision(IReadOnlyList<PromptTurn> composed, string draft, string critique, int principle)
    {
        ArgumentNullException.ThrowIfNull(composed);
        var which = principle > 0 ? $"principle {principle}" : "the principles";
        return
        [
            .. composed,
            new("assistant", draft),
            new("user", $"A review found that your answer breaks {which}: {critique.Trim()}\nWrite the answer again so that it keeps every principle."),
        ];
    }

    /// <summary>
    /// Reads a review: "OK" means the draft stands (null). Anything else is a finding, since a review
    /// that does not clearly pass the draft must not let it through: the principle it names (1..n),
    /// or 0 when it names none.
    /// </summary>
    public static int? ReviewFinding(string critique, int principleCount)
    {
        ArgumentNullException.ThrowIfNull(critique);
        var trimmed = critique.TrimStart();
        if (trimmed.StartsWith("OK", StringComparison.OrdinalIgnoreCase) && (trimmed.Length == 2 || !char.IsLetter(trimmed[2])))
        {
            return null;
        }

        foreach (Match number in Number().Matches(critique))
        {
            if (int.TryParse(number.Value, out var n) && n >= 1 && n <= principleCount)
            {
                return n;
            }
        }

        return 0;
    }

    [GeneratedRegex(@"\d+", RegexOptions.None, 100)]
    private static partial Regex Number();
}
