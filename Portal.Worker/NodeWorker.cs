using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;

namespace Portal.Worker;

/// <summary>
/// The worker's side of the node hub: connects with the node key, registers, heartbeats, and runs the
/// portal's commands on the in-process engine. Every command handler returns at once and does its work
/// on the thread pool. The worker exits when the portal is gone for good (no connection for
/// <see cref="WorkerOptions.GiveUpSeconds"/>, or the parent process ended).
/// </summary>
internal sealed partial class NodeWorker(
    IInferenceEngine engine,
    ModelDownloader downloader,
    IOptions<WorkerOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<NodeWorker> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> running = new(StringComparer.Ordinal);

    // One preparation per file at a time: a load asked for again (after a reconnection) waits for the download in flight and then finds the file.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> files = new(StringComparer.Ordinal);
    private long generatedTokens;
    private HubConnection? connection;
    private GenerationEvents? events;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        connection = Connect(settings);
        connection.On<string, ModelLoadRequest>(NodeCommands.Load, (id, request) => Run(() => LoadAsync(id, request, stoppingToken)));
        connection.On<string, string>(NodeCommands.Unload, (id, modelId) => Run(() => UnloadAsync(id, modelId)));
        connection.On<string, string, ChatMessage[]>(NodeCommands.Count, (id, modelId, messages) => Run(() => CountAsync(id, modelId, messages, stoppingToken)));
        connection.On<string, GenerationRequest>(NodeCommands.Generate, (id, request) => Run(() => GenerateAsync(id, request, stoppingToken)));
        connection.On<string>(NodeCommands.Cancel, id =>
        {
            if (running.TryGetValue(id, out var cancel))
            {
                cancel.Cancel();
            }
        });
        connection.Reconnected += _ => RegisterAsync(stoppingToken);
        connection.Closed += _ =>
        {
            // The automatic reconnection gave up: the portal is gone for good.
            LogPortalGone(settings.Portal!);
            lifetime.StopApplication();
            return Task.CompletedTask;
        };

        events = new GenerationEvents(Send);
        if (!await StartAsync(connection, settings, stoppingToken))
        {
            Environment.ExitCode = 2;
            lifetime.StopApplication();
            return;
        }

        await RegisterAsync(stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.HeartbeatMilliseconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (settings.ParentProcessId is { } parent && !IsAlive(parent))
            {
                LogParentGone(parent);
                lifetime.StopApplication();
                return;
            }

            if (connection.State == HubConnectionState.Connected)
            {
                using var self = Process.GetCurrentProcess();
                await Send(NodeHubMethods.Heartbeat, new NodeHeartbeat(running.Count, self.WorkingSet64, Interlocked.Read(ref generatedTokens)));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var cancel in running.Values)
        {
            await cancel.CancelAsync();
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }

        await base.StopAsync(cancellationToken);
    }

    private static HubConnection Connect(WorkerOptions settings)
    {
        if (string.IsNullOrWhiteSpace(settings.NodeKey))
        {
            throw new InvalidOperationException("Give the node key: --node-key KEY (or PORTAL_NODE_KEY); a platform admin creates one on the portal's Nodes page.");
        }

        var giveUp = TimeSpan.FromSeconds(settings.GiveUpSeconds);
        return new HubConnectionBuilder()
            .WithUrl(new Uri(settings.Portal!, "hubs/nodes"), o =>
            {
                o.AccessTokenProvider = () => Task.FromResult<string?>(settings.NodeKey);
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .WithAutomaticReconnect(new GiveUpAfter(giveUp))
            .Build();
    }

    private async Task<bool> StartAsync(HubConnection hub, WorkerOptions settings, CancellationToken stoppingToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await hub.StartAsync(stoppingToken);
                return true;
            }
            catch (HttpRequestException ex) when (ex.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                LogRefused(settings.Portal!);
                return false;
            }
            catch (Exception ex) when (ex is HttpRequestException or System.Net.WebSockets.WebSocketException && deadline.Elapsed.TotalSeconds < settings.GiveUpSeconds)
            {
                if (ex.Message.Contains("401", StringComparison.Ordinal))
                {
                    LogRefused(settings.Portal!);
                    return false;
                }

                await Task.Delay(500, stoppingToken);
            }
        }
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var info = GC.GetGCMemoryInfo();
        var hello = new NodeHello(
            options.Value.Name,
            Environment.MachineName,
            Environment.ProcessId,
            Environment.ProcessorCount,
            info.TotalAvailableMemoryBytes,
            [.. engine.Devices.Select(d => d.ToString())],
            [.. engine.LoadedModels]);
        await connection!.InvokeAsync(NodeHubMethods.Register, hello, cancellationToken);
    }

    private async Task LoadAsync(string requestId, ModelLoadRequest request, CancellationToken cancellationToken)
    {
        if (options.Value.Fault == "hang-load")
        {
            return;
        }

        try
        {
            request = await LocalFileAsync(requestId, request, cancellationToken);
            LogLoading(request.ModelId, request.Path);
            var stages = new StderrLoadStages();
            stages.Begin(LoadStage.Loading);
            var loaded = await engine.LoadAsync(request, stages, cancellationToken);
            await AcceptanceProbe.RunAsync(engine, request.ModelId, stages, cancellationToken);
            LogAccepted(request.ModelId);
            await Send(NodeHubMethods.Reply, requestId, new NodeReply(null, loaded));
        }
        catch (Exception ex) when (ex is InferenceException or IOException or UnauthorizedAccessException or HttpRequestException)
        {
            LogLoadRefused(request.ModelId, ex.Message);
            await Send(NodeHubMethods.Reply, requestId, new NodeReply(ex.Message));
        }
    }

    /// <summary>
    /// The portal's path where this machine has it (a local worker); otherwise the file of the same name in
    /// <see cref="WorkerOptions.ModelsFolder"/> when its SHA-256 is the one the portal registered, or else the
    /// portal's file, downloaded into that folder and checked (the download's progress goes to the portal).
    /// </summary>
    private async Task<ModelLoadRequest> LocalFileAsync(string requestId, ModelLoadRequest request, CancellationToken cancellationToken)
    {
        if (File.Exists(request.Path) && options.Value.ModelsFolder is null)
        {
            return request;
        }

        var folder = options.Value.ModelsFolder ?? throw new InferenceException($"This node has no file '{request.Path}' and no models folder (--models) to download it into.");
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        var fileName = Path.GetFileName(request.Path);
        var candidate = Path.Combine(folder, fileName);
        var gate = files.GetOrAdd(candidate, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (File.Exists(candidate))
            {
                var sha256 = await Portal.Inference.Gguf.GgufFile.ComputeSha256Async(candidate, cancellationToken);
                if (request.Sha256 is not null && string.Equals(sha256, request.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    return request with { Path = candidate };
                }

                LogNotThePortalsFile(fileName, sha256, request.Sha256 ?? "none given");
            }

            await downloader.DownloadAsync(
                request,
                candidate,
                (bytes, total) => Send(ModelDownloads.LoadProgress, requestId, new NodeLoadProgress(request.ModelId, bytes, total)),
                cancellationToken);
            return request with { Path = candidate };
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task UnloadAsync(string requestId, string modelId)
    {
        try
        {
            await engine.UnloadAsync(modelId);
            await Send(NodeHubMethods.Reply, requestId, new NodeReply(null));
        }
        catch (InferenceException ex)
        {
            await Send(NodeHubMethods.Reply, requestId, new NodeReply(ex.Message));
        }
    }

    private async Task CountAsync(string requestId, string modelId, ChatMessage[] messages, CancellationToken cancellationToken)
    {
        try
        {
            var count = await engine.CountPromptTokensAsync(modelId, messages, cancellationToken);
            await Send(NodeHubMethods.Reply, requestId, new NodeReply(null, Count: count));
        }
        catch (InferenceException ex)
        {
            await Send(NodeHubMethods.Reply, requestId, new NodeReply(ex.Message));
        }
    }

    private async Task GenerateAsync(string generationId, GenerationRequest request, CancellationToken stoppingToken)
    {
        if (options.Value.Fault == "hang-generate")
        {
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        running[generationId] = cancel;
        try
        {
            Generation generation;
            try
            {
                generation = engine.GenerateAsync(request, cancel.Token);
            }
            catch (InferenceException ex)
            {
                await events!.Finished(generationId, new GenerationResult(FinishReason.Error, "", 0, 0, null, TimeSpan.Zero, ex.Message));
                return;
            }

            await events!.Started(generationId, generation.PromptTokens);
            try
            {
                await foreach (var chunk in generation)
                {
                    Interlocked.Increment(ref generatedTokens);
                    await events.Token(generationId, chunk.Text, chunk.CompletionTokens);
                }
            }
            catch (InferenceException)
            {
                // Completion carries the error and the text so far.
            }

            await events.Finished(generationId, await generation.Completion);
        }
        finally
        {
            running.TryRemove(generationId, out _);
        }
    }

    private Task Send(string method, object? argument) => Send(method, [argument]);

    private Task Send(string method, object? first, object? second) => Send(method, [first, second]);

    private Task Send(string method, object? first, object? second, object? third) => Send(method, [first, second, third]);

    private async Task Send(string method, object?[] arguments)
    {
        try
        {
            await connection!.SendCoreAsync(method, arguments);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or OperationCanceledException)
        {
            // Not connected: the portal treats what it did not hear as lost and ends it there.
            LogSendFailed(method, ex.Message);
        }
    }

    private void Run(Func<Task> work) => _ = Task.Run(async () =>
    {
        try
        {
            await work();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogCommandFailed(ex);
        }
    });

    private static bool IsAlive(int processId)
    {
        try
        {
            using var parent = Process.GetProcessById(processId);
            return !parent.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Retries at once, then every second, until the portal has been unreachable for the give-up time.</summary>
    private sealed class GiveUpAfter(TimeSpan giveUp) : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            retryContext.ElapsedTime < giveUp ? TimeSpan.FromMilliseconds(retryContext.PreviousRetryCount == 0 ? 0 : 1000) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loading model {ModelId} from {Path}")]
    private partial void LogLoading(string modelId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId} is not loaded on this node: {Reason}")]
    private partial void LogLoadRefused(string modelId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "This node's {FileName} is not the portal's file (SHA-256 {Sha256}, expected {Expected}): fetching the portal's")]
    private partial void LogNotThePortalsFile(string fileName, string sha256, string expected);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {ModelId} passed the acceptance probe")]
    private partial void LogAccepted(string modelId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The portal {Portal} refused the node key")]
    private partial void LogRefused(Uri portal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The portal {Portal} is gone; the worker stops")]
    private partial void LogPortalGone(Uri portal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The portal process {ProcessId} ended; the worker stops")]
    private partial void LogParentGone(int processId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not send {Method}: {Reason}")]
    private partial void LogSendFailed(string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "A command failed")]
    private partial void LogCommandFailed(Exception exception);
}
