using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Inference.Engine;

namespace Portal.Web.Chat;

/// <summary>An answer as the pipeline hands it to storage: its final text, how it ended, and what the policy did.</summary>
internal sealed record StoredAnswer(
    ChatCaller Caller,
    Guid ConversationId,
    Guid ModelEntryId,
    string Content,
    MessageStatus Status,
    string? Error,
    GenerationResult Result,
    TenantPolicy? Policy,
    IReadOnlyList<PolicyAction> Actions,
    string? Draft = null,
    string? Critique = null,
    int? RevisedUnderPrinciple = null);
