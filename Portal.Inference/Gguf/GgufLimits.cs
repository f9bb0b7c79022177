namespace Portal.Inference.Gguf;

/// <summary>
/// Bounds on what a GGUF header may declare. Values past them are refused before anything is
/// allocated for them; each is far above what a real model uses.
/// </summary>
public static class GgufLimits
{
    /// <summary>GGML_MAX_DIMS.</summary>
    public const int MaxDimensions = 4;

    /// <summary>GGML_MAX_NAME: names must fit with their terminating zero.</summary>
    public const int MaxTensorNameBytes = 64;

    public const ulong MaxTensorCount = 1_000_000;

    public const ulong MaxMetadataCount = 100_000;

    public const ulong MaxKeyBytes = 64 * 1024;

    /// <summary>Longest string value (chat templates are tens of KB; 16 MiB leaves room).</summary>
    public const ulong MaxStringBytes = 16 * 1024 * 1024;

    /// <summary>Most elements in one metadata array (vocabularies and merges are a few hundred thousand).</summary>
    public const ulong MaxArrayElements = 4 * 1024 * 1024;

    /// <summary>Largest accepted <c>general.alignment</c>.</summary>
    public const uint MaxAlignment = 1024 * 1024;

    /// <summary>
    /// Most transformer blocks accepted: LLAMA_MAX_LAYERS in llama-hparams.h. llama.cpp asserts it,
    /// so a larger block count aborts the process rather than failing the load.
    /// </summary>
    public const ulong MaxBlockCount = 512;

    /// <summary>
    /// Largest accepted training context (real models reach ~10M tokens). The only size llama.cpp takes
    /// from metadata without tensors to check it against; it sizes the KV cache when no context is set.
    /// </summary>
    public const long MaxContextLength = 1L << 24;
}
