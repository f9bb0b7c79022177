namespace Portal.Inference.Native;

/// <summary>llama.cpp's shared libraries are not where the engine was told to look, or do not load.</summary>
public sealed class NativeLibraryMissingException(string message, Exception? innerException = null)
    : Exception(message, innerException);
