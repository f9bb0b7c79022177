using System.Text.RegularExpressions;
using Portal.Domain.Policies;

namespace Portal.Web.Policies;

/// <summary>
/// The pipeline's input stage: whether the model is allowed, whether a rule refuses the prompt, and
/// the prompt with personal data redacted (what the model reads and what is stored).
/// </summary>
public sealed record InputDecision(string Text, PolicyAction? Refusal, IReadOnlyList<PolicyAction> Actions);

public static class InputPolicy
{
    /// <summary>Decides on one prompt; the model name is what a "not allowed" refusal names.</summary>
    public static InputDecision Evaluate(TenantPolicy? policy, string text, Guid modelEntryId, string modelName)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (policy is null)
        {
            return new InputDecision(text, null, []);
        }

        var actions = new List<PolicyAction>();

        // Redacted first, so a refused prompt is stored without the personal data it carried too;
        // the rules read the prompt as written.
        var redacted = text;
        if (policy.RedactPii || policy.CustomPiiPatterns.Count > 0)
        {
            try
            {
                var redaction = new PiiRedactor(policy.CustomPiiPatterns).Redact(text, builtIn: policy.RedactPii);
                if (redaction.Redacted)
                {
                    redacted = redaction.Text;
                    actions.Add(new PolicyAction(PolicyActionKind.Redacted, policy.Name, policy.Version, string.Join(", ", redaction.Kinds)));
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // Personal data that could not be looked for in time must not reach the model or the database.
                var refused = new PolicyAction(PolicyActionKind.Refused, policy.Name, policy.Version, "a redaction pattern could not be checked in time, so the prompt is refused");
                return new InputDecision("[not stored: redaction could not be checked]", refused, [refused]);
            }
        }

        PolicyAction? refusal = null;
        if (policy.AllowedModelIds.Count > 0 && !policy.AllowedModelIds.Contains(modelEntryId))
        {
            refusal = new PolicyAction(PolicyActionKind.ModelNotAllowed, policy.Name, policy.Version, $"the model “{modelName}” is not among the models this tenant allows; start a new conversation with an allowed one");
        }
        else if (new InputRuleChecker(policy.InputRules).FirstMatch(text) is { } match)
        {
            refusal = new PolicyAction(PolicyActionKind.Refused, policy.Name, policy.Version, match.Reason);
        }

        if (refusal is not null)
        {
            actions.Add(refusal);
        }

        return new InputDecision(redacted, refusal, actions);
    }
}
