using System.Collections.Concurrent;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;

namespace Portal.Web.Nodes;

/// <summary>One connection on the node hub: what the node said about itself, and what the portal routes to it.</summary>
public sealed class RemoteNode(string connectionId, Guid? keyId, string? localWorkerId, Action abort, DateTimeOffset connectedAt)
{
    private int gone;
    private int inFlight;

    public string ConnectionId { get; } = connectionId;

    /// <summary>The admin-created key it connected with; null for a local worker.</summary>
    public Guid? KeyId { get; } = keyId;

    /// <summary>The local worker process this is; null for a remote node.</summary>
    public string? LocalWorkerId { get; } = localWorkerId;

    public DateTimeOffset ConnectedAt { get; } = connectedAt;

    public NodeHello? Hello { get; set; }

    public NodeHeartbeat? LastHeartbeat { get; set; }

    /// <summary>Timestamp (TimeProvider) of the last heartbeat, or of the connection.</summary>
    public long LastHeartbeatAt { get; set; }

    /// <summary>Timestamp of the last sign of work (a generation started, a token, an end).</summary>
    public long LastProgressAt { get; set; }

    /// <summary>Tokens per second over the last heartbeats.</summary>
    public double TokensPerSecond { get; set; }

    public ConcurrentDictionary<string, LoadedModelInfo> Models { get; } = new(StringComparer.Ordinal);

    /// <summary>Model files this node is downloading for a load the portal asked for, by model id.</summary>
    public ConcurrentDictionary<string, NodeLoadProgress> Downloads { get; } = new(StringComparer.Ordinal);

    /// <summary>Why this node does not serve a model the portal offered it (its last refusal), by model id.</summary>
    public ConcurrentDictionary<string, string> Declined { get; } = new(StringComparer.Ordinal);

    public int InFlight => Volatile.Read(ref inFlight);

    public bool IsGone => Volatile.Read(ref gone) == 1;

    /// <summary>Why it was evicted.</summary>
    public string? GoneReason { get; private set; }

    internal void Abort() => abort();

    internal void AddInFlight(int delta) => Interlocked.Add(ref inFlight, delta);

    internal bool MarkGone(string reason)
    {
        if (Interlocked.Exchange(ref gone, 1) == 1)
        {
            return false;
        }

        GoneReason = reason;
        return true;
    }

    /// <summary>Free slots for the model: its slots less the generations in flight here.</summary>
    public int FreeSlots(string modelId) => Models.TryGetValue(modelId, out var info) ? info.Slots - InFlight : int.MinValue;
}
