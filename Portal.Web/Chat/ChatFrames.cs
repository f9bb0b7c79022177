using Portal.Domain.Policies;

namespace Portal.Web.Chat;

/// <summary>Something the tenant's policy did, as clients see it: <see cref="Description"/> is the sentence shown.</summary>
public sealed record PolicyActionView(string Kind, string PolicyName, int PolicyVersion, string Detail, string Description)
{
    public static PolicyActionView From(PolicyAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new(action.Kind.ToString(), action.PolicyName, action.PolicyVersion, action.Detail, action.Describe());
    }

    public static IReadOnlyList<PolicyActionView> From(IEnumerable<PolicyAction> actions) => [.. actions.Select(From)];
}

/// <summary>
/// A generation was accepted: the person's message is stored (regenerate: none new).
/// <see cref="UserText"/> is the message as the model reads it and as it is stored (personal data
/// redacted); <see cref="InputActions"/> what the policy did to it (a refusal comes with the answer's
/// last frame, since the refusal is the answer); <see cref="SelfCheck"/> how the
/// answer will be checked (null: no self-check, "draft-then-revision", or "hold-until-checked").
/// </summary>
public sealed record GenerationStarted(
    Guid GenerationId,
    Guid ConversationId,
    Guid? UserMessageId,
    GenerationState State,
    int OmittedMessages,
    string? UserText = null,
    IReadOnlyList<PolicyActionView>? InputActions = null,
    string? SelfCheck = null);

/// <summary>The answer's state changed (queued, thinking, streaming; checking and revising under a self-check).</summary>
public sealed record GenerationStateFrame(Guid GenerationId, Guid ConversationId, GenerationState State);

/// <summary>
/// Text produced since the last frame; frames of one generation arrive in order (<see cref="Sequence"/> from 1).
/// After a <see cref="GenerationState.Revising"/> state frame the text is the revision, which replaces the draft.
/// </summary>
public sealed record TokenFrame(Guid GenerationId, Guid ConversationId, int Sequence, string Text, int CompletionTokens);

/// <summary>
/// The last frame of a generation, sent once the answer is stored: its outcome and figures.
/// <see cref="TokensPerSecond"/> is the decoding speed: completion tokens over the time after the first token.
/// <see cref="PolicyActions"/> lists what the tenant's policy (version <see cref="PolicyVersion"/>) did to the answer;
/// a self-checked answer carries its <see cref="Draft"/> and <see cref="Critique"/>.
/// </summary>
public sealed record GenerationCompletedFrame(
    Guid GenerationId,
    Guid ConversationId,
    Guid MessageId,
    GenerationState State,
    string FinishReason,
    string Content,
    string? Error,
    int PromptTokens,
    int CompletionTokens,
    double TimeToFirstTokenMs,
    double DurationMs,
    double TokensPerSecond,
    int OmittedMessages,
    int Frames,
    int? PolicyVersion = null,
    IReadOnlyList<PolicyActionView>? PolicyActions = null,
    string? Draft = null,
    string? Critique = null,
    int? RevisedUnderPrinciple = null);
