namespace Portal.Inference.Nodes;

/// <summary>
/// How a node gets a model file it does not have: it downloads it from the portal with its node key
/// (<see cref="FilePath"/>, by model id only), checks the SHA-256 of what arrived against the load
/// request's, and reports its progress on the node hub so that a long download is not taken for a hung load.
/// </summary>
public static class ModelDownloads
{
    /// <summary>The portal's route of a loaded model's GGUF file; <c>{modelId}</c> is the engine's model id.</summary>
    public const string Route = "/api/nodes/models/{modelId}/file";

    /// <summary>What a worker calls on the node hub while it downloads: (string requestId, <see cref="NodeLoadProgress"/>).</summary>
    public const string LoadProgress = "LoadProgress";

    /// <summary>The file's address relative to the portal's base address.</summary>
    public static string FilePath(string modelId) => $"api/nodes/models/{Uri.EscapeDataString(modelId)}/file";
}

/// <summary>A load in progress on a node: bytes of the model file downloaded so far, of the whole.</summary>
public sealed record NodeLoadProgress(string ModelId, long Bytes, long TotalBytes);
