using System.ComponentModel.DataAnnotations;

namespace Portal.Worker;

/// <summary>The worker's command line: <c>--portal URL --node-key KEY [--name NAME]</c> (the key may come from PORTAL_NODE_KEY).</summary>
public sealed class WorkerOptions
{
    [Required(ErrorMessage = "Give the portal's address: --portal https://portal.example")]
    [ConfigurationKeyName("portal")]
    public Uri? Portal { get; set; }

    [ConfigurationKeyName("node-key")]
    public string? NodeKey { get; set; } = Environment.GetEnvironmentVariable("PORTAL_NODE_KEY");

    /// <summary>This machine's own folder of GGUF files: a model the portal names is loaded from here when its SHA-256 matches.</summary>
    [ConfigurationKeyName("models")]
    public string? ModelsFolder { get; set; }

    /// <summary>Space a download leaves free in <see cref="ModelsFolder"/>: a file that would eat into it is refused before any byte is fetched.</summary>
    [ConfigurationKeyName("keep-free-bytes")]
    [Range(0, long.MaxValue)]
    public long KeepFreeBytes { get; set; }

    /// <summary>A model download that receives no byte for this long is abandoned (and its partial file deleted).</summary>
    [ConfigurationKeyName("download-stall-seconds")]
    [Range(1, 3600)]
    public int DownloadStallSeconds { get; set; } = 60;

    [ConfigurationKeyName("name")]
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>The local portal's process id: the worker exits as soon as that process is gone.</summary>
    [ConfigurationKeyName("parent-pid")]
    public int? ParentProcessId { get; set; }

    [ConfigurationKeyName("heartbeat-ms")]
    [Range(50, 60_000)]
    public int HeartbeatMilliseconds { get; set; } = 1000;

    /// <summary>How long the worker tries to reach a portal it lost before it exits.</summary>
    [ConfigurationKeyName("give-up-seconds")]
    [Range(1, 3600)]
    public int GiveUpSeconds { get; set; } = 30;

    /// <summary>
    /// Test-only fault switch (PORTAL_WORKER_FAULT): "hang-generate" accepts generations and never works on them;
    /// "hang-load" never answers a load; "cut-download" breaks the first model download off after 64 KiB;
    /// "slow-decode:MS" makes every decode step take at least MS milliseconds.
    /// </summary>
    public string? Fault { get; set; } = Environment.GetEnvironmentVariable("PORTAL_WORKER_FAULT");

    /// <summary>The step delay of a "slow-decode:MS" fault; zero for any other.</summary>
    public static TimeSpan SlowDecode(string? fault) =>
        fault is not null && fault.StartsWith("slow-decode:", StringComparison.Ordinal)
            && int.TryParse(fault.AsSpan("slow-decode:".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
            ? TimeSpan.FromMilliseconds(milliseconds)
            : TimeSpan.Zero;
}
