using System.ComponentModel.DataAnnotations;

namespace Portal.Inference.Engine;

/// <summary>Where llama.cpp runs: on the CPU only, or with layers offloaded to a CUDA GPU.</summary>
public enum InferenceBackend
{
    Cpu,
    Cuda,
}

/// <summary>Settings of the in-process engine, section "Inference".</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    /// <summary>
    /// Folder holding libllama and the ggml libraries. Empty: native/llama (Cpu) or native/llama-cuda
    /// (Cuda) next to the application, where the build copies them from node_modules.
    /// </summary>
    public string? NativeLibraryPath { get; set; }

    public InferenceBackend Backend { get; set; } = InferenceBackend.Cpu;

    /// <summary>Layers offloaded to the GPU with the Cuda backend; -1 means all. Ignored on Cpu.</summary>
    [Range(-1, 100_000)]
    public int GpuLayers { get; set; } = -1;

    /// <summary>Threads llama.cpp computes with. Not set: all cores but one, which is left for .NET (at least 1).</summary>
    [Range(1, 1024)]
    public int? Threads { get; set; }

    /// <summary>The thread count in effect for these settings.</summary>
    public int EffectiveThreads => Threads ?? Math.Max(1, Environment.ProcessorCount - 1);

    /// <summary>Tokens one conversation may hold (prompt plus answer).</summary>
    [Range(32, 1_048_576)]
    public int ContextSize { get; set; } = 4096;

    /// <summary>Conversations decoded together per model; more wait in a queue.</summary>
    [Range(1, 256)]
    public int Slots { get; set; } = 4;

    /// <summary>Most tokens submitted in one decode step (new tokens of all slots plus prompt chunks).</summary>
    [Range(16, 65_536)]
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Test-only fault: the KV cache gets this many cells while admission still promises ContextSize × Slots,
    /// so llama.cpp's cache really runs out (decode status 1), which admission otherwise never lets happen.
    /// </summary>
    internal int? FaultKvCells { get; set; }

    /// <summary>
    /// Test-only fault: every decode step takes at least this long, so a test can act on a generation (kill
    /// its worker) before the engine has finished it, however slowly the test's own threads run.
    /// </summary>
    internal TimeSpan FaultStepDelay { get; set; }

    /// <summary>The library folder in effect for these settings.</summary>
    public string ResolveNativeLibraryPath() =>
        string.IsNullOrWhiteSpace(NativeLibraryPath)
            ? Path.Combine(AppContext.BaseDirectory, "native", Backend == InferenceBackend.Cuda ? "llama-cuda" : "llama")
            : NativeLibraryPath;
}
