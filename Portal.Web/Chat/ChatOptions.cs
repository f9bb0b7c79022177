using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Chat;

/// <summary>How chat generations run; section "Portal:Chat".</summary>
public sealed class ChatOptions
{
    public const string SectionName = "Portal:Chat";

    /// <summary>Most tokens of one answer (less when the model's context is smaller).</summary>
    [Range(1, 65_536)]
    public int MaxAnswerTokens { get; set; } = 512;

    /// <summary>Longest user message, in characters.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessageLength { get; set; } = 32_000;

    /// <summary>Sampling temperature of answers; 0 is greedy (the same answer every time, as tests want).</summary>
    [Range(0, 5)]
    public float Temperature { get; set; } = 0.8f;

    /// <summary>Tokens are sent in frames at most this often (milliseconds), so a fast model does not flood the connection.</summary>
    [Range(1, 1000)]
    public int FrameIntervalMilliseconds { get; set; } = 30;
}
