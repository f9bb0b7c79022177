using System.ComponentModel.DataAnnotations;

namespace Portal.Inference.Engine;

/// <summary>How the next token is chosen. A temperature of 0 means greedy (always the likeliest token).</summary>
public sealed record SamplingSettings
{
    public static SamplingSettings Greedy { get; } = new() { Temperature = 0 };

    [Range(0, 5)]
    public float Temperature { get; init; } = 0.8f;

    /// <summary>Keep only the K likeliest tokens; 0 turns it off.</summary>
    [Range(0, 100_000)]
    public int TopK { get; init; } = 40;

    /// <summary>Keep the likeliest tokens whose probabilities sum to P; 1 turns it off.</summary>
    [Range(0, 1)]
    public float TopP { get; init; } = 0.95f;

    /// <summary>Drop tokens less likely than MinP times the likeliest; 0 turns it off.</summary>
    [Range(0, 1)]
    public float MinP { get; init; } = 0.05f;

    /// <summary>Penalty on tokens seen in the last <see cref="RepeatLastN"/>; 1 turns it off.</summary>
    [Range(0.01, 10)]
    public float RepeatPenalty { get; init; } = 1.0f;

    [Range(0, 100_000)]
    public int RepeatLastN { get; init; } = 64;

    /// <summary>Seed of the random choice; null picks a random seed.</summary>
    public uint? Seed { get; init; }
}
