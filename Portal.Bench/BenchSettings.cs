using System.Globalization;
using Portal.Inference.Engine;

namespace Portal.Bench;

/// <summary>Command-line settings: --threads N --ctx N --tokens N --prompt N --backend cpu|cuda --gpu-layers N --native DIR --model FILE --tiny --check --prepare --cache DIR --ttft N --rounds N.</summary>
internal sealed record BenchSettings
{
    public int Threads { get; init; } = Math.Max(1, Environment.ProcessorCount - 1);
    public int ContextSize { get; init; } = 1024;
    public int DecodeTokens { get; init; } = 64;
    public int PromptTokens { get; init; } = 512;
    public int[] Concurrency { get; init; } = [1, 4, 8, 16];
    public InferenceBackend Backend { get; init; } = InferenceBackend.Cpu;
    public int GpuLayers { get; init; } = -1;
    public string? NativeFolder { get; init; }
    public string? ModelPath { get; init; }
    public bool Tiny { get; init; }

    /// <summary>The workers mode's one-token generations per side for the time to first token.</summary>
    public int TimeToFirstTokenSamples { get; init; } = 40;

    /// <summary>The workers mode's decode rounds (each side once per round and concurrency, alternating which goes first).</summary>
    public int Rounds { get; init; } = 5;

    /// <summary>Also check the tiny model: greedy repeatable, batched equals alone (the CUDA tests' checks).</summary>
    public bool Check { get; init; }

    /// <summary>Only write the models into the cache folder, then exit.</summary>
    public bool Prepare { get; init; }

    /// <summary>Where generated models are kept; default .tmp/bench in the repository.</summary>
    public string? CacheFolder { get; init; }

    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.Parse(Next(), CultureInfo.InvariantCulture);
            settings = args[i] switch
            {
                "--threads" => settings with { Threads = NextInt() },
                "--ctx" => settings with { ContextSize = NextInt() },
                "--tokens" => settings with { DecodeTokens = NextInt() },
                "--prompt" => settings with { PromptTokens = NextInt() },
                "--concurrency" => settings with { Concurrency = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))] },
                "--backend" => settings with { Backend = Enum.Parse<InferenceBackend>(Next(), ignoreCase: true) },
                "--gpu-layers" => settings with { GpuLayers = NextInt() },
                "--native" => settings with { NativeFolder = Next() },
                "--model" => settings with { ModelPath = Next() },
                "--ttft" => settings with { TimeToFirstTokenSamples = NextInt() },
                "--rounds" => settings with { Rounds = NextInt() },
                "--tiny" => settings with { Tiny = true },
                "--check" => settings with { Check = true },
                "--prepare" => settings with { Prepare = true },
                "--cache" => settings with { CacheFolder = Next() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }

        return settings;
    }
}
