namespace Portal.Web.Chat;

/// <summary>Where an answer stands, as the person sees it.</summary>
public enum GenerationState
{
    /// <summary>Waiting for a free slot of the model.</summary>
    Queued,

    /// <summary>The model reads the conversation; no token yet.</summary>
    Thinking,

    /// <summary>Tokens are arriving.</summary>
    Streaming,

    /// <summary>The answer is complete (the model ended its turn or reached the token limit).</summary>
    Completed,

    /// <summary>Stopped by the person, a closed connection or an unloaded model; what was produced is kept.</summary>
    Stopped,

    /// <summary>The generation failed; what was produced is kept with the reason.</summary>
    Failed,

    /// <summary>The tenant's policy refused the prompt (a rule, or a model it does not allow); nothing was generated.</summary>
    Refused,

    /// <summary>The self-check reviews the draft against the tenant's principles.</summary>
    Checking,

    /// <summary>The review found a broken principle: the revision streams next and replaces the draft.</summary>
    Revising,
}
