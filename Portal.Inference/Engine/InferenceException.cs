namespace Portal.Inference.Engine;

/// <summary>A request the engine cannot serve (unknown model, prompt too long) or a failed generation.</summary>
public sealed class InferenceException(string message, Exception? innerException = null)
    : Exception(message, innerException);
