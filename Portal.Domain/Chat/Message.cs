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
}
