using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Nodes;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// A Portal.Worker process started as a person would on another machine (<c>--portal URL --node-key KEY
/// --models DIR</c>), with its log lines kept; killed and its folder deleted on dispose.
/// </summary>
public sealed class RemoteWorker : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private RemoteWorker(WorkerPortal portal, string name, string key, string folder, IEnumerable<string> extra, string? fault)
    {
        Name = name;
        Folder = folder;
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Portal.Worker"))
        {
            ArgumentList = { "--portal", portal.BaseAddress.ToString(), "--node-key", key, "--models", folder, "--name", name },
            Environment = { ["Inference__Threads"] = "1" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.Environment.Remove("PORTAL_WORKER_FAULT");
        if (fault is not null)
        {
            start.Environment["PORTAL_WORKER_FAULT"] = fault;
        }

        foreach (var argument in extra)
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start)!;
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
    }

    public string Name { get; }

    /// <summary>The node's own models folder.</summary>
    public string Folder { get; }

    public int ProcessId => process.Id;

    /// <summary>What the worker logged so far.</summary>
    public string Log => string.Join('\n', lines);

    /// <summary>Starts a worker on <paramref name="folder"/> (a new empty one when null) with a new node key of the portal.</summary>
    public static Task<RemoteWorker> StartAsync(WorkerPortal portal, string name, string? folder = null, params string[] extra) =>
        StartWithFaultAsync(portal, name, fault: null, folder, extra);

    /// <summary>As <see cref="StartAsync"/>, with the worker's test fault switch (PORTAL_WORKER_FAULT) set.</summary>
    public static async Task<RemoteWorker> StartWithFaultAsync(WorkerPortal portal, string name, string? fault, string? folder = null, params string[] extra)
    {
        var (_, key) = await portal.Factory.Services.GetRequiredService<NodeKeys>().CreateAsync(name, createdBy: null, TestContext.Current.CancellationToken);
        return new RemoteWorker(portal, name, key, folder ?? Directory.CreateTempSubdirectory("remote-node-").FullName, extra, fault);
    }

    /// <summary>Waits until this node serves the model, or fails with the reason it declined it.</summary>
    public async Task<RemoteNode> ServingAsync(WorkerPortal portal, string engineId)
    {
        var node = await OutcomeAsync(portal, engineId);
        Assert.True(node.Models.ContainsKey(engineId), $"The node declined the model: {node.Declined.GetValueOrDefault(engineId)}\n{Log}");
        return node;
    }

    /// <summary>Waits until this node declined the model, and gives its reason.</summary>
    public async Task<string> DeclinedAsync(WorkerPortal portal, string engineId)
    {
        var node = await OutcomeAsync(portal, engineId);
        Assert.False(node.Models.ContainsKey(engineId), "The node serves the model.");
        return node.Declined[engineId];
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync(CancellationToken.None);
        process.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    private async Task<RemoteNode> OutcomeAsync(WorkerPortal portal, string engineId)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (portal.Registry.Nodes.FirstOrDefault(n => n.Hello?.Name == Name && (n.Models.ContainsKey(engineId) || n.Declined.ContainsKey(engineId))) is { } node)
            {
                return node;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), $"The node neither served nor declined the model.\n{Log}");
            if (process.HasExited)
            {
                Assert.Fail($"The worker exited ({process.ExitCode}).\n{Log}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}
