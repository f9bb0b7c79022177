namespace Portal.Domain.Policies;

/// <summary>
/// One version of a tenant's policy. A save writes a new version; old versions stay, so every
/// message and every policy action in the audit log can name the version that acted on it.
/// The tenant's policy is its highest version.
/// </summary>
public sealed class TenantPolicy : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public int Version { get; set; } = 1;

    public required string Name { get; set; }

    /// <summary>Placed before anything the user writes; the user cannot remove or override it.</summary>
    public string? EnforcedSystemPrompt { get; set; }

    /// <summary>Written principles (a "constitution"), one per line; they go into the system prompt, numbered.</summary>
    public string? Principles { get; set; }

    /// <summary>After the draft, the model reviews it against the principles and revises it if one is broken.</summary>
    public bool SelfCheckEnabled { get; set; }

    public SelfCheckStreaming SelfCheckStreaming { get; set; } = SelfCheckStreaming.ShowDraftThenRevision;

    /// <summary>Rules that refuse a prompt.</summary>
    public List<PolicyRule> InputRules { get; set; } = [];

    /// <summary>Rules checked on the answer's stream: a match is held back and never reaches a client.</summary>
    public List<PolicyRule> OutputRules { get; set; } = [];

    /// <summary>Redacts e-mail addresses, phone numbers, IBANs and payment cards (and <see cref="CustomPiiPatterns"/>) before the model and before storage.</summary>
    public bool RedactPii { get; set; }

    public List<PiiPattern> CustomPiiPatterns { get; set; } = [];

    /// <summary>Which of the granted models members may pick; empty allows every granted model.</summary>
    public List<Guid> AllowedModelIds { get; set; } = [];

    /// <summary>Days conversations are kept; null keeps them until deleted.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>Whether prompts and answers are stored at all.</summary>
    public bool StorePrompts { get; set; } = true;

    public Guid CreatedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>"Name v3": how a person sees which policy acted.</summary>
    public string Label => $"{Name} v{Version}";

    /// <summary>The principles, numbered from 1 in the order written (blank lines skipped).</summary>
    public IReadOnlyList<string> PrincipleList =>
        [.. (Principles ?? "").Split('\n').Select(p => p.Trim()).Where(p => p.Length > 0)];

    /// <summary>A copy to edit as the next version (lists copied, never shared).</summary>
    public TenantPolicy NextDraft() => new()
    {
        TenantId = TenantId,
        Version = Version + 1,
        Name = Name,
        EnforcedSystemPrompt = EnforcedSystemPrompt,
        Principles = Principles,
        SelfCheckEnabled = SelfCheckEnabled,
        SelfCheckStreaming = SelfCheckStreaming,
        InputRules = [.. InputRules.Select(r => r with { })],
        OutputRules = [.. OutputRules.Select(r => r with { })],
        RedactPii = RedactPii,
        CustomPiiPatterns = [.. CustomPiiPatterns.Select(p => p with { })],
        AllowedModelIds = [.. AllowedModelIds],
        RetentionDays = RetentionDays,
        StorePrompts = StorePrompts,
    };
}

/// <summary>Whether a self-checked answer streams its draft and then the revision, or only appears once checked.</summary>
public enum SelfCheckStreaming
{
    ShowDraftThenRevision,
    HoldUntilChecked,
}
