namespace Portal.Domain.Policies;

public enum PolicyActionKind
{
    Refused,
    Redacted,
    HeldBack,
    Revised,
    ModelNotAllowed,
    NotStored,
    DeletedByRetention,
}

/// <summary>
/// Something a policy did to a message, shown in the conversation and written to the audit log.
/// <paramref name="Detail"/> names the rule, the kinds redacted or the principle; never the redacted values.
/// </summary>
public sealed record PolicyAction(PolicyActionKind Kind, string PolicyName, int PolicyVersion, string Detail)
{
    /// <summary>The audit log's action name, e.g. <c>policy.refused</c>.</summary>
    public string AuditAction => Kind switch
    {
        PolicyActionKind.Refused => "policy.refused",
        PolicyActionKind.Redacted => "policy.redacted",
        PolicyActionKind.HeldBack => "policy.held_back",
        PolicyActionKind.Revised => "policy.revised",
        PolicyActionKind.ModelNotAllowed => "policy.model_not_allowed",
        PolicyActionKind.NotStored => "policy.not_stored",
        _ => "retention.deleted",
    };

    /// <summary>What the person reads, e.g. "Refused by rule “secrets” (Default v3)".</summary>
    public string Describe() => Kind switch
    {
        PolicyActionKind.Refused => $"Refused: {Detail} ({PolicyName} v{PolicyVersion})",
        PolicyActionKind.Redacted => $"Redacted before the model: {Detail} ({PolicyName} v{PolicyVersion})",
        PolicyActionKind.HeldBack => $"Held back from the answer: {Detail} ({PolicyName} v{PolicyVersion})",
        PolicyActionKind.Revised => $"Revised {Detail} ({PolicyName} v{PolicyVersion})",
        PolicyActionKind.ModelNotAllowed => $"Model not allowed: {Detail} ({PolicyName} v{PolicyVersion})",
        PolicyActionKind.NotStored => $"Not stored: {Detail} ({PolicyName} v{PolicyVersion})",
        _ => $"Deleted by retention: {Detail} ({PolicyName} v{PolicyVersion})",
    };
}
