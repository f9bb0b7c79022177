using Portal.Domain.Chat;
using Portal.Web.Chat;

namespace Portal.Web.Components.Pages.Chat;

/// <summary>One message as the chat page shows it: stored, or an answer still streaming.</summary>
public sealed class ChatMessageItem
{
    public Guid? Id { get; set; }

    public MessageRole Role { get; init; }

    public string Content { get; set; } = "";

    public GenerationState State { get; set; } = GenerationState.Completed;

    public string? Error { get; set; }

    public int CompletionTokens { get; set; }

    public double? TimeToFirstTokenMs { get; set; }

    public double? TokensPerSecond { get; set; }

    /// <summary>What the tenant's policy did to this message, in the sentences the person reads.</summary>
    public IReadOnlyList<PolicyActionView> PolicyActions { get; set; } = [];

    /// <summary>The self-check's draft and review, when it ran (shown on request).</summary>
    public string? Draft { get; set; }

    public string? Critique { get; set; }

    public int? RevisedUnderPrinciple { get; set; }

    /// <summary>Ended and known to the server (an answer gets its id with its last frame).</summary>
    public bool IsFinished => Id is not null && State is GenerationState.Completed or GenerationState.Stopped or GenerationState.Failed or GenerationState.Refused;

    public static ChatMessageItem From(Message message, AnswerFigures? figures)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new ChatMessageItem
        {
            Id = message.Id,
            Role = message.Role,
            Content = message.Content,
            State = message.Status switch
            {
                MessageStatus.Stopped => GenerationState.Stopped,
                MessageStatus.Failed => GenerationState.Failed,
                MessageStatus.Refused => GenerationState.Refused,
                _ => GenerationState.Completed,
            },
            Error = message.Error,
            PolicyActions = PolicyActionView.From(message.PolicyActions),
            Draft = message.SelfCheckDraft,
            Critique = message.SelfCheckCritique,
            RevisedUnderPrinciple = message.RevisedUnderPrinciple,
            CompletionTokens = message.CompletionTokens,
            TimeToFirstTokenMs = figures?.TimeToFirstTokenMs,
            TokensPerSecond = figures?.TokensPerSecond,
        };
    }

    public void Apply(GenerationCompletedFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        Id = frame.MessageId;
        Content = frame.Content;
        State = frame.State;
        Error = frame.Error;
        CompletionTokens = frame.CompletionTokens;
        TimeToFirstTokenMs = frame.TimeToFirstTokenMs;
        TokensPerSecond = frame.TokensPerSecond;
        PolicyActions = frame.PolicyActions ?? [];
        Draft = frame.Draft;
        Critique = frame.Critique;
        RevisedUnderPrinciple = frame.RevisedUnderPrinciple;
    }

    /// <summary>A state frame: under "revising" the streamed draft steps aside for the revision.</summary>
    public void Apply(GenerationStateFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.State == GenerationState.Revising && State != GenerationState.Revising)
        {
            Draft = Content;
            Content = "";
        }

        State = frame.State;
    }
}
