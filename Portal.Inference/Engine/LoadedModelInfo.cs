namespace Portal.Inference.Engine;

/// <summary>A model in memory and how it runs.</summary>
public sealed record LoadedModelInfo(
    string ModelId,
    string Path,
    string Description,
    int Layers,
    int GpuLayers,
    int ContextSize,
    int Slots,
    bool HasChatTemplate);
