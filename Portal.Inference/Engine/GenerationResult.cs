namespace Portal.Inference.Engine;

/// <summary>The outcome of one generation, with its token counts and timings.</summary>
public sealed record GenerationResult(
    FinishReason FinishReason,
    string Text,
    int PromptTokens,
    int CompletionTokens,
    TimeSpan? TimeToFirstToken,
    TimeSpan TotalTime,
    string? Error = null);
