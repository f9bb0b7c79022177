namespace Portal.Inference.Gguf;

/// <summary>
/// Caps that bound the memory a header parse may use whatever the file's size: without them a
/// large upload made of nothing but metadata strings would cost a multiple of its size in memory.
/// The defaults sit far above real models (a 262k-token vocabulary with merges is ~20 MB of header).
/// </summary>
public sealed record GgufReadLimits
{
    public static GgufReadLimits Default { get; } = new();

    /// <summary>Most bytes of metadata and tensor infos read before the data section.</summary>
    public long MaxHeaderBytes { get; init; } = 128L * 1024 * 1024;

    /// <summary>Most elements over all metadata arrays together.</summary>
    public ulong MaxTotalArrayElements { get; init; } = 8 * 1024 * 1024;
}
