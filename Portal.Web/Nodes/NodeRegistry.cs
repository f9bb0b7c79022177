using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;

namespace Portal.Web.Nodes;

/// <summary>
/// The nodes connected to the node hub, the requests and generations in flight on them, and routing:
/// a generation goes to a live node that has the model loaded and the most free slots. When a node is
/// evicted (its process ended, it hung, its key was revoked, it disconnected) its pending requests fail
/// with the reason; its generations that produced nothing yet move to another node with the model, and
/// the others end with the reason, keeping their text.
/// </summary>
public sealed partial class NodeRegistry(IHubContext<NodeHub> hub, IOptions<NodeOptions> options, TimeProvider time, ILogger<NodeRegistry> logger)
{
    private readonly ConcurrentDictionary<string, RemoteNode> nodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingRequest> requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RemoteGeneration> generations = new(StringComparer.Ordinal);

    /// <summary>A node registered (its hello arrived).</summary>
    public event Action<RemoteNode>? NodeRegistered;

    /// <summary>A node left, with the reason; raised once per node.</summary>
    public event Action<RemoteNode, string>? NodeGone;

    /// <summary>The connection of a node left without being evicted first (a local worker's supervisor finds out why).</summary>
    public event Action<RemoteNode>? ConnectionLost;

    public IReadOnlyCollection<RemoteNode> Nodes => [.. nodes.Values.Where(n => !n.IsGone)];

    public IEnumerable<LoadedModelInfo> LoadedModels =>
        nodes.Values.Where(n => !n.IsGone).SelectMany(n => n.Models.Values).DistinctBy(m => m.ModelId);

    internal void Connect(string connectionId, Guid? keyId, string? localWorkerId, Action abort)
    {
        var node = new RemoteNode(connectionId, keyId, localWorkerId, abort, time.GetUtcNow())
        {
            LastHeartbeatAt = time.GetTimestamp(),
            LastProgressAt = time.GetTimestamp(),
        };
        nodes[connectionId] = node;
    }

    internal void Disconnected(string connectionId)
    {
        if (nodes.TryGetValue(connectionId, out var node) && !node.IsGone)
        {
            if (node.LocalWorkerId is not null && ConnectionLost is { } handler)
            {
                handler(node);
            }
            else
            {
                Evict(node, "The node disconnected.");
            }
        }
    }

    internal void Register(string connectionId, NodeHello hello)
    {
        if (!nodes.TryGetValue(connectionId, out var node))
        {
            return;
        }

        // What the node says it has loaded is not trusted for routing: only a model the portal asked it to load
        // (and that passed the acceptance probe there) receives people's prompts.
        node.Hello = hello;

        LogRegistered(hello.Name, hello.MachineName, hello.ProcessId, hello.ProcessorCount);
        NodeRegistered?.Invoke(node);
    }

    internal void Heartbeat(string connectionId, NodeHeartbeat heartbeat)
    {
        if (nodes.TryGetValue(connectionId, out var node))
        {
            var now = time.GetTimestamp();
            if (node.LastHeartbeat is { } previous)
            {
                var seconds = time.GetElapsedTime(node.LastHeartbeatAt, now).TotalSeconds;
                node.TokensPerSecond = seconds > 0 ? (heartbeat.GeneratedTokens - previous.GeneratedTokens) / seconds : 0;
            }

            node.LastHeartbeat = heartbeat;
            node.LastHeartbeatAt = now;
        }
    }

    internal void Reply(string connectionId, string requestId, NodeReply reply)
    {
        if (requests.TryGetValue(requestId, out var pending) && pending.Node.ConnectionId == connectionId && requests.TryRemove(requestId, out _))
        {
            pending.Reply.TrySetResult(reply);
        }
    }

    /// <summary>A node downloading a model's file for a load: the load's time limit counts from this report.</summary>
    internal void LoadProgress(string connectionId, string requestId, NodeLoadProgress progress)
    {
        // Only a load's own model counts: a node cannot post progress for anything else.
        if (requests.TryGetValue(requestId, out var pending) && pending.Node.ConnectionId == connectionId
            && pending.LoadModelId is { } modelId && progress?.ModelId == modelId)
        {
            pending.Progressed(time.GetTimestamp());
            pending.Node.Downloads[modelId] = progress;
        }
    }

    internal void Started(string connectionId, string generationId, int promptTokens)
    {
        if (Own(connectionId, generationId) is { } generation)
        {
            generation.Node!.LastProgressAt = time.GetTimestamp();
            generation.OnStarted(promptTokens);
        }
    }

    internal void Tokens(string connectionId, TokenFrame[] frames)
    {
        foreach (var frame in frames ?? [])
        {
            if (frame is not null && Own(connectionId, frame.GenerationId) is { } generation)
            {
                generation.Node!.LastProgressAt = time.GetTimestamp();
                generation.OnTokens(frame.Text ?? "", frame.CompletionTokens);
            }
        }
    }

    internal void Finished(string connectionId, string generationId, GenerationResult result)
    {
        if (Own(connectionId, generationId) is { } generation)
        {
            var node = generation.Node!;
            node.LastProgressAt = time.GetTimestamp();
            if (generation.OnFinished(result))
            {
                Release(generation);
            }
        }
    }

    /// <summary>
    /// Sends a request to <paramref name="node"/> and waits for its one reply; fails with the node's end, or when
    /// <paramref name="timeout"/> passes without a reply or a progress report (a node downloading a model's file
    /// reports every second or so, so a slow download is not taken for a hang; a stalled one is).
    /// </summary>
    public async Task<NodeReply> RequestAsync(RemoteNode node, string method, object?[] arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(arguments);
        var requestId = Guid.NewGuid().ToString("N");
        var pending = new PendingRequest(node, time.GetTimestamp(), method == NodeCommands.Load && arguments is [ModelLoadRequest load, ..] ? load.ModelId : null);
        requests[requestId] = pending;
        try
        {
            if (node.IsGone)
            {
                throw new InferenceException(node.GoneReason ?? "The node is gone.");
            }

            await hub.Clients.Client(node.ConnectionId).SendCoreAsync(method, [requestId, .. arguments], cancellationToken);
            while (true)
            {
                var left = timeout - time.GetElapsedTime(pending.LastSignAt);
                if (left <= TimeSpan.Zero)
                {
                    throw new InferenceException(pending.HasProgressed
                        ? $"The node did not answer {method} within {timeout.TotalSeconds:0} s of its last progress report."
                        : $"The node did not answer {method} within {timeout.TotalSeconds:0} s.");
                }

                try
                {
                    return await pending.Reply.Task.WaitAsync(left, time, cancellationToken);
                }
                catch (TimeoutException)
                {
                    // A progress report may have come meanwhile: the limit counts from it.
                }
            }
        }
        finally
        {
            requests.TryRemove(requestId, out _);
            if (pending.LoadModelId is { } modelId)
            {
                node.Downloads.TryRemove(modelId, out _);
            }
        }
    }

    /// <summary>Counts a chat's prompt tokens on a node that has the model.</summary>
    public async Task<int> CountPromptTokensAsync(string modelId, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var node = Pick(modelId, except: null) ?? throw new InferenceException($"No model named '{modelId}' is loaded.");
        var reply = await RequestAsync(node, NodeCommands.Count, [modelId, messages.ToArray()], TimeSpan.FromSeconds(options.Value.StepTimeoutSeconds), cancellationToken);
        return reply.Count ?? throw new InferenceException(reply.Error ?? "The node did not count the prompt.");
    }

    /// <summary>Starts a generation on the best node for its model.</summary>
    public Generation Generate(GenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = Pick(request.ModelId, except: null) ?? throw new InferenceException($"No model named '{request.ModelId}' is loaded.");
        var generation = new RemoteGeneration(request, time);
        generations[generation.Id] = generation;
        Assign(generation, node);
        var registration = cancellationToken.Register(() => Cancel(generation));
        _ = generation.Completion.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        return new Generation(generation.Chunks, generation.Completion, () => Cancel(generation), () => generation.PromptTokens);
    }

    /// <summary>Removes the node: its requests fail with <paramref name="reason"/>; its generations move or end (as cancelled when <paramref name="cancelled"/>).</summary>
    public void Evict(RemoteNode node, string reason, bool cancelled = false)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!node.MarkGone(reason))
        {
            return;
        }

        nodes.TryRemove(node.ConnectionId, out _);
        LogEvicted(node.Hello?.Name ?? node.ConnectionId, reason);
        foreach (var (id, pending) in requests)
        {
            if (pending.Node == node && requests.TryRemove(id, out _))
            {
                pending.Reply.TrySetException(new InferenceException(reason));
            }
        }

        foreach (var generation in generations.Values.Where(g => g.Node == node && !g.IsDone))
        {
            node.AddInFlight(-1);
            if (!cancelled && !generation.HasOutput && !generation.CancelRequested && generation.Moves == 0
                && Pick(generation.Request.ModelId, except: node) is { } other)
            {
                // Nothing was produced yet (it was queued, or reading its prompt): it runs elsewhere, unseen.
                generation.Moves++;
                Assign(generation, other);
                continue;
            }

            if (cancelled
                ? generation.End(FinishReason.Cancelled, reason)
                : generation.End(FinishReason.Error, $"The worker running this answer stopped: {reason} The answer ends here."))
            {
                generations.TryRemove(generation.Id, out _);
            }
        }

        try
        {
            node.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The connection is already closed.
        }

        NodeGone?.Invoke(node, reason);
    }

    /// <summary>Evicts every node connected with the key.</summary>
    public void EvictByKey(Guid keyId, string reason)
    {
        foreach (var node in nodes.Values.Where(n => n.KeyId == keyId))
        {
            Evict(node, reason);
        }
    }

    /// <summary>The node's generations in flight, with the prompt tokens still to be read by those not started.</summary>
    public (int Count, int WaitingPromptTokens) WorkOn(RemoteNode node)
    {
        var mine = generations.Values.Where(g => g.Node == node && !g.IsDone).ToList();
        return (mine.Count, mine.Where(g => !g.HasOutput).Sum(g => Math.Max(g.PromptTokens, 1)));
    }

    private void Assign(RemoteGeneration generation, RemoteNode node)
    {
        generation.Node = node;
        node.AddInFlight(1);
        if (generation.Moves == 0 && node.InFlight == 1)
        {
            node.LastProgressAt = time.GetTimestamp();
        }

        _ = SendGenerateAsync(generation, node);
    }

    private async Task SendGenerateAsync(RemoteGeneration generation, RemoteNode node)
    {
        try
        {
            await hub.Clients.Client(node.ConnectionId).SendAsync(NodeCommands.Generate, generation.Id, generation.Request);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            Evict(node, $"The node could not be reached ({ex.Message}).");
        }
    }

    private void Cancel(RemoteGeneration generation)
    {
        if (generation.IsDone)
        {
            return;
        }

        generation.CancelRequested = true;
        var node = generation.Node;
        if (node is null || node.IsGone)
        {
            Release(generation, FinishReason.Cancelled);
            return;
        }

        _ = hub.Clients.Client(node.ConnectionId).SendAsync(NodeCommands.Cancel, generation.Id);

        // A node that does not confirm within a few seconds is hung; the watchdog deals with it, the caller is answered now.
        _ = Task.Delay(TimeSpan.FromSeconds(3), time).ContinueWith(_ => Release(generation, FinishReason.Cancelled), TaskScheduler.Default);
    }

    private void Release(RemoteGeneration generation, FinishReason? endAs = null)
    {
        if (endAs is { } reason && !generation.End(reason, null))
        {
            return;
        }

        if (generations.TryRemove(generation.Id, out _))
        {
            generation.Node?.AddInFlight(-1);
        }
    }

    private RemoteGeneration? Own(string connectionId, string generationId) =>
        generations.TryGetValue(generationId, out var generation) && generation.Node?.ConnectionId == connectionId ? generation : null;

    private RemoteNode? Pick(string modelId, RemoteNode? except) =>
        nodes.Values
            .Where(n => !n.IsGone && n != except && n.Models.ContainsKey(modelId))
            .OrderByDescending(n => n.FreeSlots(modelId))
            .ThenBy(n => n.ConnectedAt)
            .FirstOrDefault();

    /// <summary>A request waiting for its node's reply; a progress report moves its deadline.</summary>
    private sealed class PendingRequest(RemoteNode node, long sentAt, string? loadModelId)
    {
        private long lastSignAt = sentAt;

        public RemoteNode Node { get; } = node;

        /// <summary>The model of a Load request: the only one it may report download progress for.</summary>
        public string? LoadModelId { get; } = loadModelId;

        public TaskCompletionSource<NodeReply> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long LastSignAt => Interlocked.Read(ref lastSignAt);

        public bool HasProgressed { get; private set; }

        public void Progressed(long at)
        {
            Interlocked.Exchange(ref lastSignAt, at);
            HasProgressed = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Name} registered: {Machine}, process {ProcessId}, {Cores} cores")]
    private partial void LogRegistered(string name, string machine, int processId, int cores);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Name} removed: {Reason}")]
    private partial void LogEvicted(string name, string reason);
}
