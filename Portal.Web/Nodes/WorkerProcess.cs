using System.Diagnostics;
using Portal.Inference.Engine;

namespace Portal.Web.Nodes;

/// <summary>
/// One local worker process: started with its own node key, its stderr's last lines kept (llama.cpp's
/// log and its abort message land there), and its end described in words (exit code or signal).
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    private const int TailLines = 25;
    private readonly Queue<string> tail = new();
    private readonly Process process;
    private readonly TaskCompletionSource<RemoteNode> registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int? exitCode;

    public WorkerProcess(ProcessStartInfo start, string id, string key)
    {
        Id = id;
        Key = key;
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.Start();
        ProcessId = process.Id;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        Exited = WaitForExitAsync();
    }

    public string Id { get; }

    public string Key { get; }

    public int ProcessId { get; }

    /// <summary>Completes when the process has ended and its output is read to the end.</summary>
    public Task Exited { get; }

    public Task<RemoteNode> Registered => registered.Task;

    public RemoteNode? Node { get; private set; }

    /// <summary>The model passed its load and acceptance probe in this process.</summary>
    public bool Loaded { get; set; }

    /// <summary>Stopped on purpose (unload, shutdown): its end is not a crash.</summary>
    public bool Stopping { get; set; }

    /// <summary>The load stage the worker announced last (<see cref="LoadStage"/>); named in its end until the model is loaded.</summary>
    public string? Stage { get; private set; }

    /// <summary>Why the portal killed it (hung), when it did.</summary>
    public string? KillReason { get; private set; }

    public void OnRegistered(RemoteNode node)
    {
        Node = node;
        registered.TrySetResult(node);
    }

    /// <summary>Kills the process (and anything it started) with <paramref name="reason"/>.</summary>
    public void Kill(string? reason)
    {
        KillReason ??= reason;
        try
        {
            if (exitCode is null)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already ended.
        }
    }

    /// <summary>True when the process died of a crash signal (abort, segmentation fault, bus error, illegal instruction, arithmetic).</summary>
    public bool Crashed => exitCode is { } code && Signal(code) is 4 or 6 or 7 or 8 or 11;

    /// <summary>The end in words, with the last lines it wrote.</summary>
    public string DescribeEnd()
    {
        var code = exitCode;
        var how = KillReason is not null
            ? $"{KillReason} The portal killed it."
            : code is { } exit && Signal(exit) is { } signal
                ? $"The worker process died of signal {signal} ({SignalName(signal)}){During()}."
                : code is { } plain ? $"The worker process exited with code {plain}{During()}." : "The worker process stopped answering.";
        string lines;
        lock (tail)
        {
            lines = string.Join("\n", tail);
        }

        if (lines.Length > 1400)
        {
            lines = "…" + lines[^1400..];
        }

        return lines.Length == 0 ? how : $"{how} Its last log lines:\n{lines}";
    }

    public void Dispose() => process.Dispose();

    /// <summary>" while creating the context": the stage it had begun, as long as the model was not loaded.</summary>
    private string During() => !Loaded && Stage is { } stage ? $" while {stage}" : "";

    private async Task WaitForExitAsync()
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        exitCode = process.ExitCode;
    }

    private void Keep(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        if (line.StartsWith(LoadStage.LogMarker, StringComparison.Ordinal))
        {
            Stage = line[LoadStage.LogMarker.Length..].Trim();
            return;
        }

        lock (tail)
        {
            tail.Enqueue(line.Length > 400 ? line[..400] : line);
            while (tail.Count > TailLines)
            {
                tail.Dequeue();
            }
        }
    }

    /// <summary>.NET reports a child ended by signal N as exit code 128 + N.</summary>
    private static int? Signal(int exitCode) => exitCode is > 128 and < 160 ? exitCode - 128 : null;

    private static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "signal " + signal,
    };
}
