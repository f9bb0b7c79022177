namespace Portal.Domain.Usage;

public enum GenerationOutcome
{
    Completed,
    Length,
    Stopped,
    Failed,
    /// <summary>Refused by the tenant's policy.</summary>
    Refused,

    /// <summary>Refused before generation because a quota was used up.</summary>
    RefusedByQuota,
}

/// <summary>One generation, recorded once it ends, for reports and cost.</summary>
public sealed class UsageRecord : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public Guid ModelEntryId { get; set; }

    public Guid? ConversationId { get; set; }

    /// <summary>The workspace of the conversation, for reports by workspace.</summary>
    public Guid? WorkspaceId { get; set; }

    /// <summary>The answer this generation produced; null when the answer was not stored (storage off, refused).</summary>
    public Guid? MessageId { get; set; }

    public int PromptTokens { get; set; }

    public int CompletionTokens { get; set; }

    public TimeSpan TimeToFirstToken { get; set; }

    public TimeSpan Duration { get; set; }

    public double TokensPerSecond { get; set; }

    /// <summary>The <see cref="Node"/> of generations that ran on the portal's own machine (in process or in its local workers).</summary>
    public const string LocalNode = "local";

    /// <summary>Which inference node produced it: <see cref="LocalNode"/>, a remote node's name, or "endpoint:" and the model's name.</summary>
    public string Node { get; set; } = LocalNode;

    /// <summary>The longest <see cref="Node"/> stored (names come from node settings and model names).</summary>
    public const int MaxNodeLength = 100;

    /// <summary><paramref name="node"/> as stored: <see cref="LocalNode"/> when unknown, cut to <see cref="MaxNodeLength"/>.</summary>
    public static string NodeName(string? node) =>
        string.IsNullOrWhiteSpace(node) ? LocalNode : node.Length <= MaxNodeLength ? node : node[..MaxNodeLength];

    public GenerationOutcome Outcome { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
