namespace Portal.Inference.Engine;

/// <summary>Why a generation ended.</summary>
public enum FinishReason
{
    /// <summary>The model ended its turn or a stop sequence appeared.</summary>
    Stop,

    /// <summary>The token limit of the request or the conversation's context was reached.</summary>
    Length,

    /// <summary>The caller cancelled or abandoned the request, or the model was unloaded.</summary>
    Cancelled,

    /// <summary>llama.cpp failed; see <see cref="GenerationResult.Error"/>.</summary>
    Error,
}
