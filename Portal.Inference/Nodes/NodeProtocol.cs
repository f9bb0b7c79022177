using Portal.Inference.Engine;

namespace Portal.Inference.Nodes;

/// <summary>
/// The node hub's protocol (<c>/hubs/nodes</c>), shared by the portal and its workers. The portal sends
/// commands with <see cref="NodeCommands"/>; the worker answers each request id once with
/// <see cref="NodeHubMethods.Reply"/> and streams a generation as Started, Tokens..., Finished, where one
/// Tokens invocation carries the text of every generation that produced tokens since the last one. Handlers
/// on the worker return at once (the SignalR client runs them one after another), so a long load never
/// holds up a cancel.
/// </summary>
public static class NodeCommands
{
    /// <summary>(string requestId, <see cref="ModelLoadRequest"/>): load, run the acceptance probe, reply.</summary>
    public const string Load = "Load";

    /// <summary>(string requestId, string modelId).</summary>
    public const string Unload = "Unload";

    /// <summary>(string requestId, string modelId, ChatMessage[] messages): reply with the prompt's token count.</summary>
    public const string Count = "Count";

    /// <summary>(string generationId, <see cref="GenerationRequest"/>).</summary>
    public const string Generate = "Generate";

    /// <summary>(string generationId): end it as cancelled and free its slot.</summary>
    public const string Cancel = "Cancel";
}

/// <summary>What a worker calls on the node hub.</summary>
public static class NodeHubMethods
{
    public const string Register = "Register";
    public const string Heartbeat = "Heartbeat";
    public const string Reply = "Reply";
    public const string Started = "Started";

    /// <summary>(<see cref="TokenFrame"/>[] frames): the tokens produced since the last Tokens, at most one frame per generation.</summary>
    public const string Tokens = "Tokens";
    public const string Finished = "Finished";
}

/// <summary>A node introduces itself: its machine, and the models it already has loaded.</summary>
public sealed record NodeHello(
    string Name,
    string MachineName,
    int ProcessId,
    int ProcessorCount,
    long MemoryBytes,
    IReadOnlyList<string> Devices,
    IReadOnlyList<LoadedModelInfo> LoadedModels);

/// <summary>A node's state, sent every second or so; its absence for long is a hang.</summary>
public sealed record NodeHeartbeat(int Running, long WorkingSetBytes, long GeneratedTokens);

/// <summary>The one answer to a request: an error, or the loaded model, or a count.</summary>
public sealed record NodeReply(string? Error, LoadedModelInfo? Model = null, int? Count = null);

/// <summary>The text a generation produced since its last frame, and its completion tokens so far.</summary>
public sealed record TokenFrame(string GenerationId, string Text, int CompletionTokens);
