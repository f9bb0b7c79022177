using Portal.Domain.Policies;

namespace Portal.Domain.Chat;

public enum MessageRole
{
    System,
    User,
    Assistant,
}

/// <summary>How an assistant answer ended. A user's message is always <see cref="Complete"/>.</summary>
public enum MessageStatus
{
    Complete,
    Streaming,
    Stopped,
    Failed,

    /// <summary>A policy refused the prompt; no answer was generated.</summary>
    Refused,
}

public sealed class Message : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public Guid ConversationId { get; set; }

    public MessageRole Role { get; set; }

    public string Content { get; set; } = "";

    public MessageStatus Status { get; set; } = MessageStatus.Complete;

    /// <summary>Why a generation failed, in words a person can act on.</summary>
    public string? Error { get; set; }

    public int PromptTokens { get; set; }

    public int CompletionTokens { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The tenant policy version that acted on this message; null when the tenant has no policy.</summary>
    public int? PolicyVersion { get; set; }

    /// <summary>What the policy did to this message (refused, redacted, held back, revised), shown beside it.</summary>
    public List<PolicyAction> PolicyActions { get; set; } = [];

    /// <summary>The self-check's draft answer, when the self-check ran; <see cref="Content"/> is the final answer.</summary>
    public string? SelfCheckDraft { get; set; }

    /// <summary>The model's review of the draft against the principles.</summary>
    public string? SelfCheckCritique { get; set; }

    /// <summary>The principle (from 1) the draft was revised under; 0 when revised without a single principle named.</summary>
    public int? RevisedUnderPrinciple { get; set; }
}
