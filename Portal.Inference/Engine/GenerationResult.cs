namespace Portal.Inference.Engine;

/// <summary>
/// The outcome of one generation, with its token counts and timings, and the <c>Node</c> it ran on for cost
/// accounting (a remote node's name, an endpoint); null for this machine.
/// </summary>
public sealed record GenerationResult(
    FinishReason FinishReason,
    string Text,
    int PromptTokens,
    int CompletionTokens,
    TimeSpan? TimeToFirstToken,
    TimeSpan TotalTime,
    string? Error = null,
    string? Node = null);
