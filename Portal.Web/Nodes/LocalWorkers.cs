using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;

namespace Portal.Web.Nodes;

/// <summary>
/// The supervisor of the portal's own workers: one process per loaded model (times
/// <see cref="NodeOptions.ProcessesPerModel"/>), each with a node key of its own. A worker that crashes
/// while loading fails the load with the signal and its last log lines; one that crashes on a model it
/// has not yet answered with (first use) marks the model Failed in the database, so it is never loaded
/// again automatically; any other end (killed, hung, exited) starts it again with a growing delay.
/// Also the watchdog of every node: no heartbeat, or no progress on work in flight, for too long is a hang.
/// </summary>
public sealed partial class LocalWorkers(
    NodeRegistry registry,
    NodeKeys keys,
    IServer server,
    IHostApplicationLifetime lifetime,
    IConfiguration configuration,
    IServiceScopeFactory scopes,
    IOptions<NodeOptions> options,
    TimeProvider time,
    ILogger<LocalWorkers> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, ModelWorkers> models = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WorkerProcess> processes = new(StringComparer.Ordinal);
    private volatile bool stopping;

    /// <summary>The processes running now (tests look for orphans and kill one).</summary>
    public IReadOnlyCollection<(string ModelId, int ProcessId)> Processes =>
        [.. models.Values.SelectMany(m => m.Workers.Values.Select(w => (m.Request.ModelId, w.ProcessId)))];

    public async Task<LoadedModelInfo> LoadAsync(ModelLoadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var group = new ModelWorkers(request);
        if (!models.TryAdd(request.ModelId, group))
        {
            throw new InferenceException($"A model named '{request.ModelId}' is already loaded.");
        }

        try
        {
            var started = await Task.WhenAll(Enumerable.Range(0, options.Value.ProcessesPerModel).Select(_ => StartWorkerAsync(group, cancellationToken)));
            foreach (var remote in registry.Nodes.Where(n => n.LocalWorkerId is null && n.Hello is not null))
            {
                _ = OfferAsync(remote, group);
            }

            return started[0];
        }
        catch
        {
            models.TryRemove(request.ModelId, out _);
            group.Removed = true;
            StopAll(group);
            throw;
        }
    }

    public Task UnloadAsync(string modelId)
    {
        if (!models.TryRemove(modelId, out var group))
        {
            throw new InferenceException($"No model named '{modelId}' is loaded.");
        }

        group.Removed = true;
        StopAll(group);
        foreach (var remote in registry.Nodes.Where(n => n.LocalWorkerId is null && n.Models.TryRemove(modelId, out _)))
        {
            _ = registry.RequestAsync(remote, NodeCommands.Unload, [modelId], TimeSpan.FromSeconds(options.Value.StepTimeoutSeconds))
                .ContinueWith(t => t.Exception?.Handle(_ => true), TaskScheduler.Default);
        }

        return Task.CompletedTask;
    }

    public bool Has(string modelId) => models.ContainsKey(modelId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        registry.NodeRegistered += OnRegistered;
        registry.ConnectionLost += OnConnectionLost;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Watch();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        stopping = true;
        foreach (var worker in processes.Values)
        {
            worker.Stopping = true;
            worker.Kill(null);
        }

        await Task.WhenAll(processes.Values.Select(w => w.Exited)).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken);
    }

    /// <summary>Kills a node that stopped heartbeating or made no progress on its work for too long.</summary>
    private void Watch()
    {
        var settings = options.Value;
        foreach (var node in registry.Nodes)
        {
            string? hang = null;
            var silent = time.GetElapsedTime(node.LastHeartbeatAt).TotalSeconds;
            if (silent > settings.HeartbeatTimeoutSeconds)
            {
                hang = $"The worker sent no heartbeat for {silent:0} s (hung).";
            }
            else if (registry.WorkOn(node) is { Count: > 0 } work)
            {
                var limit = settings.StepTimeoutSeconds + work.WaitingPromptTokens / settings.PromptTokensPerSecond;
                var idle = time.GetElapsedTime(node.LastProgressAt).TotalSeconds;
                if (idle > limit)
                {
                    hang = $"The worker made no progress for {idle:0} s with {work.Count} generation(s) in flight (limit {limit:0} s; hung).";
                }
            }

            if (hang is null)
            {
                continue;
            }

            LogHung(node.Hello?.Name ?? node.ConnectionId, hang);
            if (node.LocalWorkerId is { } id && processes.TryGetValue(id, out var worker))
            {
                worker.Kill(hang);
            }
            else
            {
                registry.Evict(node, hang);
            }
        }
    }

    private async Task<LoadedModelInfo> StartWorkerAsync(ModelWorkers group, CancellationToken cancellationToken)
    {
        var request = group.Request;
        var portal = await PortalAddressAsync(cancellationToken);
        var id = $"local-{request.ModelId[..Math.Min(8, request.ModelId.Length)]}-{Guid.NewGuid().ToString("N")[..6]}";
        var key = keys.IssueLocal(id);
        var worker = new WorkerProcess(StartInfo(portal, id, key), id, key);
        processes[id] = worker;
        group.Workers[id] = worker;
        LogStarted(id, worker.ProcessId, request.ModelId);
        _ = MonitorAsync(group, worker);

        var settings = options.Value;
        var node = await Task.WhenAny(worker.Registered.ContinueWith(t => (RemoteNode?)t.Result, TaskScheduler.Default), worker.Exited.WaitAsync(TimeSpan.FromSeconds(settings.StartTimeoutSeconds), time, cancellationToken)
            .ContinueWith(_ => (RemoteNode?)null, TaskScheduler.Default)).Unwrap();
        if (node is null || !worker.Registered.IsCompletedSuccessfully)
        {
            if (!worker.Exited.IsCompleted)
            {
                worker.Kill($"The worker did not connect within {settings.StartTimeoutSeconds:0} s.");
            }

            await worker.Exited;
            throw new InferenceException($"The worker for the model did not start. {worker.DescribeEnd()}");
        }

        NodeReply reply;
        try
        {
            reply = await registry.RequestAsync(node, NodeCommands.Load, [request], LoadLimit(request), cancellationToken);
        }
        catch (InferenceException ex) when (!node.IsGone)
        {
            // Hung loading: killed, and the load fails with that.
            worker.Kill($"{ex.Message} (hung while loading).");
            await worker.Exited;
            throw new InferenceException($"The model's worker hung while loading. {worker.DescribeEnd()}");
        }
        catch (InferenceException)
        {
            await worker.Exited.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw new InferenceException($"The model crashed its worker while loading. {worker.DescribeEnd()}");
        }

        if (reply.Error is { } error || reply.Model is null)
        {
            worker.Stopping = true;
            worker.Kill(null);
            throw new InferenceException(reply.Error ?? "The worker loaded nothing.");
        }

        node.Models[request.ModelId] = reply.Model;
        worker.Loaded = true;
        group.Restarts = 0;
        return reply.Model;
    }

    /// <summary>Waits for the process's end, then evicts its node and decides: nothing, restart, or mark the model failed.</summary>
    private async Task MonitorAsync(ModelWorkers group, WorkerProcess worker)
    {
        await worker.Exited.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var reason = worker.DescribeEnd();
        processes.TryRemove(worker.Id, out _);
        keys.ForgetLocal(worker.Key);
        if (worker.Node is { } node)
        {
            registry.Evict(node, worker.Stopping ? "The model was unloaded." : reason, cancelled: worker.Stopping);
        }

        group.Workers.TryRemove(worker.Id, out _);
        worker.Dispose();
        if (worker.Stopping || stopping || group.Removed || !worker.Loaded)
        {
            return; // on purpose, or a failed load (the loader reports it)
        }

        LogWorkerEnded(worker.Id, reason);
        if (worker.Crashed && !group.Answered)
        {
            // Its first use crashed it: the model is the cause. Never again without an admin.
            await FailModelAsync(group, $"The model crashed its worker on first use. {reason}");
            return;
        }

        var delay = TimeSpan.FromSeconds(Math.Min(options.Value.MaxRestartDelaySeconds, options.Value.RestartDelaySeconds * Math.Pow(2, group.Restarts++)));
        await Task.Delay(delay, time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (stopping || group.Removed)
        {
            return;
        }

        try
        {
            await StartWorkerAsync(group, lifetime.ApplicationStopping);
            LogRestarted(group.Request.ModelId, group.Restarts);
        }
        catch (Exception ex) when (ex is InferenceException or OperationCanceledException)
        {
            if (!stopping && !group.Removed)
            {
                await FailModelAsync(group, $"The model's worker could not be started again. {ex.Message}");
            }
        }
    }

    private async Task FailModelAsync(ModelWorkers group, string reason)
    {
        if (!models.TryRemove(group.Request.ModelId, out _))
        {
            return;
        }

        group.Removed = true;
        StopAll(group);
        LogModelFailed(group.Request.ModelId, reason);
        if (Guid.TryParseExact(group.Request.ModelId, "N", out var entryId))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            if (await db.ModelEntries.FirstOrDefaultAsync(m => m.Id == entryId) is { } entry)
            {
                entry.State = ModelState.Failed;
                entry.FailureReason = reason.Length > 2000 ? reason[..1999] + "…" : reason;
                await db.SaveChangesAsync();
            }
        }
    }

    private static void StopAll(ModelWorkers group)
    {
        foreach (var worker in group.Workers.Values)
        {
            worker.Stopping = true;
            worker.Kill(null);
        }
    }

    private void OnRegistered(RemoteNode node)
    {
        if (node.LocalWorkerId is { } id && processes.TryGetValue(id, out var worker))
        {
            worker.OnRegistered(node);
        }
        else if (node.LocalWorkerId is null)
        {
            _ = OfferModelsAsync(node);
        }
    }

    /// <summary>
    /// A remote node joined: it is asked to load every model loaded here, each from its own models folder
    /// when the file's SHA-256 matches; what it loads, it serves alongside the local workers.
    /// </summary>
    private async Task OfferModelsAsync(RemoteNode node)
    {
        foreach (var group in models.Values.Where(g => !g.Removed))
        {
            await OfferAsync(node, group);
        }
    }

    private async Task OfferAsync(RemoteNode node, ModelWorkers group)
    {
        var request = group.Request;
        try
        {
            // A node that downloads the file first reports its progress; the limit counts from its last report.
            var reply = await registry.RequestAsync(node, NodeCommands.Load, [request], LoadLimit(request), lifetime.ApplicationStopping);
            if (reply.Model is { } model && reply.Error is null && !group.Removed && !node.IsGone)
            {
                node.Declined.TryRemove(request.ModelId, out _);
                node.Models[request.ModelId] = model;
            }
            else
            {
                Declined(node, request.ModelId, reply.Error ?? "no model");
            }
        }
        catch (Exception ex) when (ex is InferenceException or OperationCanceledException)
        {
            Declined(node, request.ModelId, ex.Message);
        }
    }

    private void Declined(RemoteNode node, string modelId, string reason)
    {
        node.Declined[modelId] = reason;
        LogRemoteLoadRefused(node.Hello?.Name ?? node.ConnectionId, modelId, reason);
    }

    /// <summary>How long a load may run (with the acceptance probe): a base, and more for every GB of the file.</summary>
    private TimeSpan LoadLimit(ModelLoadRequest request)
    {
        var size = request.SizeBytes ?? (File.Exists(request.Path) ? new FileInfo(request.Path).Length : 0);
        return TimeSpan.FromSeconds(options.Value.LoadTimeoutSeconds + options.Value.LoadSecondsPerGigabyte * size / 1e9);
    }

    private void OnConnectionLost(RemoteNode node)
    {
        if (node.LocalWorkerId is { } id && processes.TryGetValue(id, out var worker))
        {
            // Most often the process just died: give its end a moment to be seen, so the reason names the signal.
            _ = Task.Run(async () =>
            {
                await worker.Exited.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (!worker.Exited.IsCompleted)
                {
                    worker.Kill("The worker lost its connection to the portal.");
                }
            });
        }
        else
        {
            registry.Evict(node, "The node disconnected.");
        }
    }

    /// <summary>A generation finished on the model: its first use did not crash it.</summary>
    internal void Answered(string modelId)
    {
        if (models.TryGetValue(modelId, out var group))
        {
            group.Answered = true;
        }
    }

    private async Task<Uri> PortalAddressAsync(CancellationToken cancellationToken)
    {
        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
            await started.Task.WaitAsync(cancellationToken);
        }

        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault()
            ?? throw new InferenceException("The portal listens on no address its workers could connect to; set Portal:Workers:Mode to InProcess, or give the portal a URL.");
        address = address.Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://localhost", "://127.0.0.1", StringComparison.Ordinal);
        return new Uri(address.TrimEnd('/') + "/");
    }

    private ProcessStartInfo StartInfo(Uri portal, string id, string key)
    {
        var start = WorkerCommand.Create(options.Value.WorkerCommand);
        foreach (var argument in new[] { "--portal", portal.ToString(), "--name", id, "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PORTAL_NODE_KEY"] = key;

        // ggml would attach gdb to print a backtrace on abort: slow, and it pushes llama.cpp's own message out of the kept lines.
        start.Environment["GGML_NO_BACKTRACE"] = "1";
        start.Environment.Remove("PORTAL_WORKER_FAULT");
        if (!string.IsNullOrEmpty(options.Value.TestFault))
        {
            start.Environment["PORTAL_WORKER_FAULT"] = options.Value.TestFault;
        }

        // The portal's engine settings (threads, slots, backend, library path) are the worker's.
        foreach (var (name, value) in configuration.GetSection("Inference").AsEnumerable(makePathsRelative: true))
        {
            if (value is not null)
            {
                start.Environment["Inference__" + name.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        return start;
    }

    private sealed class ModelWorkers(ModelLoadRequest request)
    {
        public ModelLoadRequest Request { get; } = request;

        public ConcurrentDictionary<string, WorkerProcess> Workers { get; } = new(StringComparer.Ordinal);

        public int Restarts { get; set; }

        public bool Removed { get; set; }

        public bool Answered { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started worker {WorkerId} (process {ProcessId}) for model {ModelId}")]
    private partial void LogStarted(string workerId, int processId, string modelId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} ended: {Reason}")]
    private partial void LogWorkerEnded(string workerId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId}: worker started again (restart {Restarts})")]
    private partial void LogRestarted(string modelId, int restarts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {ModelId} marked failed: {Reason}")]
    private partial void LogModelFailed(string modelId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Remote node {Name} does not serve model {ModelId}: {Reason}")]
    private partial void LogRemoteLoadRefused(string name, string modelId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Name} is hung: {Reason}")]
    private partial void LogHung(string name, string reason);
}
