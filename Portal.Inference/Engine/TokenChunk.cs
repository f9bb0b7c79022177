namespace Portal.Inference.Engine;

/// <summary>A piece of the answer as it streams; <see cref="CompletionTokens"/> counts tokens so far.</summary>
public readonly record struct TokenChunk(string Text, int CompletionTokens);
