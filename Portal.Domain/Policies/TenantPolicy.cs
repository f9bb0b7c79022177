namespace Portal.Domain.Policies;

/// <summary>
/// One version of a tenant's policy. A change writes a new version; old versions stay, so every
/// policy action recorded in the audit log can name the version that took it.
/// </summary>
public sealed class TenantPolicy : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public int Version { get; set; } = 1;

    public required string Name { get; set; }

    /// <summary>Prepended to every conversation; the user cannot remove it.</summary>
    public string? EnforcedSystemPrompt { get; set; }

    /// <summary>Written principles (a "constitution") the model's draft may be checked against.</summary>
    public string? Principles { get; set; }

    public bool SelfCheckEnabled { get; set; }

    public List<string> InputBlocklist { get; set; } = [];

    public List<string> OutputBlocklist { get; set; } = [];

    public bool RedactPii { get; set; }

    /// <summary>Days conversations are kept; null keeps them until deleted.</summary>
    public int? RetentionDays { get; set; }

    public bool StorePrompts { get; set; } = true;

    public Guid CreatedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
