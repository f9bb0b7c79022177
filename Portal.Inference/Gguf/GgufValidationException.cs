namespace Portal.Inference.Gguf;

/// <summary>A GGUF file was refused: <see cref="Code"/> says which check failed, the message says where and why.</summary>
public sealed class GgufValidationException(GgufError code, string message) : Exception(message)
{
    public GgufError Code { get; } = code;
}
