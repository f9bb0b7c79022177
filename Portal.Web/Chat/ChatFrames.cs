namespace Portal.Web.Chat;

/// <summary>A generation was accepted: the person's message is stored (regenerate: none new).</summary>
public sealed record GenerationStarted(
    Guid GenerationId,
    Guid ConversationId,
    Guid? UserMessageId,
    GenerationState State,
    int OmittedMessages);

/// <summary>The answer's state changed (queued, thinking, streaming).</summary>
public sealed record GenerationStateFrame(Guid GenerationId, Guid ConversationId, GenerationState State);

/// <summary>Text produced since the last frame; frames of one generation arrive in order (<see cref="Sequence"/> from 1).</summary>
public sealed record TokenFrame(Guid GenerationId, Guid ConversationId, int Sequence, string Text, int CompletionTokens);

/// <summary>
/// The last frame of a generation, sent once the answer is stored: its outcome and figures.
/// <see cref="TokensPerSecond"/> is the decoding speed: completion tokens over the time after the first token.
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
    int Frames);
