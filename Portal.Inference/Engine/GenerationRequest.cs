namespace Portal.Inference.Engine;

/// <summary>
/// One completion: either chat <see cref="Messages"/> (formatted with the model's chat template)
/// or a raw <see cref="Prompt"/> used as it is.
/// </summary>
public sealed record GenerationRequest
{
    public required string ModelId { get; init; }

    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];

    public string? Prompt { get; init; }

    public SamplingSettings Sampling { get; init; } = new();

    /// <summary>Most tokens to generate.</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Texts that end the answer when generated; they are not part of the answer.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];
}
