using Portal.Domain.Policies;

namespace Portal.Web.Components.Pages.Policies;

/// <summary>One editable row of a rule list (a rule or a redaction pattern); the saved records are immutable.</summary>
public sealed class RuleRow
{
    public string Name { get; set; } = "";

    public PolicyRuleKind Kind { get; set; } = PolicyRuleKind.Word;

    public string Pattern { get; set; } = "";

    public static List<RuleRow> From(IEnumerable<PolicyRule> rules) => [.. rules.Select(r => new RuleRow { Name = r.Name, Kind = r.Kind, Pattern = r.Pattern })];

    public static List<RuleRow> From(IEnumerable<PiiPattern> patterns) => [.. patterns.Select(p => new RuleRow { Name = p.Name, Kind = PolicyRuleKind.Regex, Pattern = p.Pattern })];

    public PolicyRule ToRule() => new(Name.Trim(), Kind, Pattern);

    public PiiPattern ToPattern() => new(Name.Trim(), Pattern);
}
