using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Nodes;

/// <summary>Where models run; section "Portal:Workers".</summary>
public enum InferenceMode
{
    /// <summary>The product default: one supervised worker process per loaded model, over the node hub.</summary>
    Processes,

    /// <summary>llama.cpp inside the portal's own process: a crash of llama.cpp ends the portal (tests that are not about workers, and the bench).</summary>
    InProcess,
}

/// <summary>How the portal runs and supervises its inference workers; section "Portal:Workers".</summary>
public sealed class NodeOptions
{
    public const string SectionName = "Portal:Workers";

    public InferenceMode Mode { get; set; } = InferenceMode.Processes;

    /// <summary>Worker processes started per loaded model (each has all the model's slots); generations go to the one with the most free slots.</summary>
    [Range(1, 16)]
    public int ProcessesPerModel { get; set; } = 1;

    /// <summary>A node that sends no heartbeat for this long is hung: it is killed (a local worker) or disconnected.</summary>
    [Range(1, 600)]
    public double HeartbeatTimeoutSeconds { get; set; } = 10;

    /// <summary>A worker must connect and register within this long after its start.</summary>
    [Range(1, 600)]
    public double StartTimeoutSeconds { get; set; } = 60;

    /// <summary>A load (with the acceptance probe) may take this long, plus <see cref="LoadSecondsPerGigabyte"/> for every GB of the file.</summary>
    [Range(1, 3600)]
    public double LoadTimeoutSeconds { get; set; } = 60;

    [Range(0, 3600)]
    public double LoadSecondsPerGigabyte { get; set; } = 60;

    /// <summary>
    /// A node with generations in flight that sends no token, start or end for this long, plus one second
    /// per <see cref="PromptTokensPerSecond"/> tokens of prompt waiting to be read, is hung.
    /// </summary>
    [Range(1, 3600)]
    public double StepTimeoutSeconds { get; set; } = 30;

    [Range(1, 1_000_000)]
    public double PromptTokensPerSecond { get; set; } = 20;

    /// <summary>First wait before a crashed worker is started again; doubled at every crash in a row, up to <see cref="MaxRestartDelaySeconds"/>.</summary>
    [Range(0, 600)]
    public double RestartDelaySeconds { get; set; } = 1;

    [Range(0, 3600)]
    public double MaxRestartDelaySeconds { get; set; } = 30;

    /// <summary>The worker executable; empty: Portal.Worker next to the portal.</summary>
    public string? WorkerCommand { get; set; }

    /// <summary>Test-only fault switch passed to local workers (PORTAL_WORKER_FAULT): "hang-generate", "hang-load" or "slow-decode:MS".</summary>
    public string? TestFault { get; set; }
}
