namespace Portal.Domain.Policies;

public enum PolicyRuleKind
{
    /// <summary>A whole word, any case.</summary>
    Word,

    /// <summary>A run of text anywhere, any case.</summary>
    Phrase,

    /// <summary>A .NET regular expression (input rules only), evaluated with a timeout.</summary>
    Regex,
}

/// <summary>A named rule of a policy; the name is what a person is shown when it acts.</summary>
public sealed record PolicyRule(string Name, PolicyRuleKind Kind, string Pattern);

/// <summary>An admin-defined kind of personal data to redact, e.g. ("employee id", "EMP-\d{6}").</summary>
public sealed record PiiPattern(string Name, string Pattern);
