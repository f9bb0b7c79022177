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

    public bool IsFinished => State is GenerationState.Completed or GenerationState.Stopped or GenerationState.Failed;

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
                _ => GenerationState.Completed,
            },
            Error = message.Error,
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
    }
}
