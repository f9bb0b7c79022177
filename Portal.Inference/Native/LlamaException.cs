namespace Portal.Inference.Native;

/// <summary>llama.cpp refused or failed an operation; the message carries its reason.</summary>
public sealed class LlamaException(string message) : Exception(message);
