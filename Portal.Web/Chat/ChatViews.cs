using Portal.Domain.Chat;

namespace Portal.Web.Chat;

/// <summary>A stored message as clients see it.</summary>
public sealed record MessageView(
    Guid Id, string Role, string Content, string Status, string? Error, int PromptTokens, int CompletionTokens, DateTimeOffset CreatedAt)
{
    public static MessageView From(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.Id, message.Role.ToString(), message.Content, message.Status.ToString(), message.Error,
            message.PromptTokens, message.CompletionTokens, message.CreatedAt);
    }
}

/// <summary>A conversation with its stored messages, as clients see it.</summary>
public sealed record ConversationView(Guid Id, Guid WorkspaceId, string Title, Guid? ModelEntryId, bool IsGenerating, IReadOnlyList<MessageView> Messages);

/// <summary>A workspace of the caller's tenant.</summary>
public sealed record WorkspaceView(Guid Id, string Name);
