using Portal.Domain.Chat;

namespace Portal.Web.Chat;

/// <summary>A stored message as clients see it, with what the tenant's policy did to it.</summary>
public sealed record MessageView(
    Guid Id, string Role, string Content, string Status, string? Error, int PromptTokens, int CompletionTokens, DateTimeOffset CreatedAt,
    int? PolicyVersion = null, IReadOnlyList<PolicyActionView>? PolicyActions = null,
    string? Draft = null, string? Critique = null, int? RevisedUnderPrinciple = null)
{
    public static MessageView From(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new(message.Id, message.Role.ToString(), message.Content, message.Status.ToString(), message.Error,
            message.PromptTokens, message.CompletionTokens, message.CreatedAt,
            message.PolicyVersion, PolicyActionView.From(message.PolicyActions),
            message.SelfCheckDraft, message.SelfCheckCritique, message.RevisedUnderPrinciple);
    }
}

/// <summary>A conversation with its stored messages, as clients see it.</summary>
public sealed record ConversationView(Guid Id, Guid WorkspaceId, string Title, Guid? ModelEntryId, bool IsGenerating, IReadOnlyList<MessageView> Messages);

/// <summary>A workspace of the caller's tenant.</summary>
public sealed record WorkspaceView(Guid Id, string Name);
