using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Inference;
using Portal.Inference.Engine;

namespace Portal.Bench.Workers;

/// <summary>
/// <c>Portal.Bench workers</c>: the in-process engine against the worker path (NodeEngine → node hub →
/// a real worker process over SignalR on loopback) on the same model and settings, in one run. Rounds
/// alternate which side goes first, so load that comes and goes hits both alike.
/// </summary>
internal static class WorkersBench
{
    /// <summary>Set in the bench's environment before it starts the worker: the child bench process runs as the worker.</summary>
    public const string WorkerRoleVariable = "PORTAL_BENCH_WORKER";

    public static async Task RunAsync(BenchSettings settings, string modelPath, string cacheFolder)
    {
        var rounds = settings.Rounds;
        var inference = InferenceSettings(settings);
        var clock = Stopwatch.StartNew();

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(inference);
        builder.AddInference();
        using var inProcessHost = builder.Build();
        await inProcessHost.StartAsync();
        var inProcess = inProcessHost.Services.GetRequiredService<IInferenceEngine>();
        var info = await inProcess.LoadAsync(new ModelLoadRequest("bench", modelPath));
        Console.WriteLine($"model      {info.Description}, {info.Layers} layers, {info.GpuLayers} on GPU, in-process load {clock.Elapsed.TotalSeconds:F1} s");

        // The worker the node host starts is this very executable (no dotnet install needed where it is published self-contained).
        Environment.SetEnvironmentVariable(WorkerRoleVariable, "1");
        var workerCommand = Environment.ProcessPath ?? throw new InvalidOperationException("The bench's own executable is unknown.");
        clock.Restart();
        await using var portal = await NodeHost.StartAsync(inference, Path.Combine(cacheFolder, "nodehost"), workerCommand);
        var worker = portal.Engine;
        await worker.LoadAsync(new ModelLoadRequest("bench", modelPath));
        Console.WriteLine($"worker     {workerCommand} (its own process, over /hubs/nodes on loopback), started and loaded in {clock.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"settings   {settings.Backend}, threads {settings.Threads}, context {settings.ContextSize}, {settings.Concurrency.Max()} slots, "
            + $"decode {settings.DecodeTokens} tokens x {rounds} rounds, {settings.TimeToFirstTokenSamples} first-token samples, greedy; load {LoadAverage()}");

        var sides = new[] { ("in-process", inProcess), ("worker", worker) };
        await EngineMeasure.DecodeAsync(inProcess, Prompts(2), 8);
        await EngineMeasure.DecodeAsync(worker, Prompts(2), 8);

        var decode = settings.Concurrency.ToDictionary(n => n, _ => (InProcess: new List<double>(), Worker: new List<double>()));
        using var workerProcess = Process.GetProcessById(portal.WorkerProcessIds.Single());
        // Both processes on both sides: each side then carries the other's idle cost alike, and the difference is the path's.
        var cpu = new CpuTime[] { new([Process.GetCurrentProcess(), workerProcess]), new([Process.GetCurrentProcess(), workerProcess]) };
        var problems = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var n in settings.Concurrency)
            {
                var figures = new DecodeFigures[2];
                foreach (var side in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
                {
                    cpu[side].Start();
                    figures[side] = await EngineMeasure.DecodeAsync(sides[side].Item2, Prompts(n), settings.DecodeTokens);
                    cpu[side].Stop(figures[side].Counts.Sum());
                    if (figures[side].Counts.Any(c => c != settings.DecodeTokens))
                    {
                        problems.Add($"{sides[side].Item1} N={n}: token counts {string.Join(",", figures[side].Counts)}, expected {settings.DecodeTokens}");
                    }
                }

                var sameText = figures[0].Texts!.SequenceEqual(figures[1].Texts!);
                if (!sameText && n == 1)
                {
                    problems.Add($"round {round + 1} N=1: the greedy texts differ");
                }

                decode[n].InProcess.Add(figures[0].TokensPerSecond);
                decode[n].Worker.Add(figures[1].TokensPerSecond);
                Console.WriteLine($"round {round + 1}  N={n,2}  in-process {figures[0].TokensPerSecond,8:F1}  worker {figures[1].TokensPerSecond,8:F1} tok/s  "
                    + $"ratio {figures[1].TokensPerSecond / figures[0].TokensPerSecond:F3}  same text {(sameText ? "yes" : "no")}");
            }
        }

        var (firstInProcess, firstWorker) = await TimeToFirstTokenAsync(sides, settings.TimeToFirstTokenSamples);
        var observed = (InProcess: firstInProcess.Select(f => f.Observed).ToList(), Worker: firstWorker.Select(f => f.Observed).ToList());
        var paired = observed.Worker.Zip(observed.InProcess, (w, p) => w - p).ToList();

        // Beyond each engine's own first-token time (from its queue to its first token): what the way to the caller adds,
        // per generation, so that load that slows the engine alike on both sides drops out.
        var pathInProcess = firstInProcess.Select(f => f.Observed - f.Engine).ToList();
        var pathWorker = firstWorker.Select(f => f.Observed - f.Engine).ToList();

        Console.WriteLine();
        Console.WriteLine($"{"measure",-34} {"in-process",11} {"worker",11} {"worker/in-process",18}");
        foreach (var n in settings.Concurrency)
        {
            var (ours, theirs) = decode[n];
            Console.WriteLine($"{$"decode tok/s N={n}, best of {rounds}",-34} {ours.Max(),11:F1} {theirs.Max(),11:F1} {theirs.Max() / ours.Max(),18:F3}");
            Console.WriteLine($"{$"decode tok/s N={n}, median of {rounds}",-34} {Median(ours),11:F1} {Median(theirs),11:F1} {Median(theirs) / Median(ours),18:F3}");
        }

        Console.WriteLine($"{"CPU ms per token (col 3: in/worker)",-34} {cpu[0].MillisecondsPerToken,11:F2} {cpu[1].MillisecondsPerToken,11:F2} {cpu[0].MillisecondsPerToken / cpu[1].MillisecondsPerToken,18:F3}");
        Console.WriteLine($"{"time to first token p50, ms",-34} {Median(observed.InProcess),11:F2} {Median(observed.Worker),11:F2} {Signed(Median(observed.Worker) - Median(observed.InProcess)),18}");
        Console.WriteLine($"{"time to first token p90, ms",-34} {Percentile(observed.InProcess, 0.9),11:F2} {Percentile(observed.Worker, 0.9),11:F2} {Signed(Percentile(observed.Worker, 0.9) - Percentile(observed.InProcess, 0.9)),18}");
        Console.WriteLine($"{"  paired difference p50, ms",-34} {"",11} {"",11} {Signed(Median(paired)),18}");
        var ownInProcess = firstInProcess.Select(f => f.Engine).ToList();
        var ownWorker = firstWorker.Select(f => f.Engine).ToList();
        Console.WriteLine($"{"  the engine's own, p50 ms",-34} {Median(ownInProcess),11:F2} {Median(ownWorker),11:F2} {Signed(Median(ownWorker) - Median(ownInProcess)),18}");
        Console.WriteLine($"{"  beyond the engine's own, p50 ms",-34} {Median(pathInProcess),11:F2} {Median(pathWorker),11:F2} {Signed(Median(pathWorker) - Median(pathInProcess)),18}");
        Console.WriteLine($"{"  beyond the engine's own, p90 ms",-34} {Percentile(pathInProcess, 0.9),11:F2} {Percentile(pathWorker, 0.9),11:F2} {Signed(Percentile(pathWorker, 0.9) - Percentile(pathInProcess, 0.9)),18}");
        Console.WriteLine("targets: decode worker/in-process >= 0.97; added time to first token p50 <= 2 ms");
        Console.WriteLine($"load       {LoadAverage()}");
        if (problems.Count > 0)
        {
            Console.WriteLine($"NOT the same output on both sides: {string.Join("; ", problems)}");
            Environment.ExitCode = 1;
        }

        await inProcessHost.StopAsync();
    }

    /// <summary>Runs the child's side: the bench was started by the node host as its worker.</summary>
    public static bool IsWorker => Environment.GetEnvironmentVariable(WorkerRoleVariable) == "1";

    /// <summary>
    /// Wall time from the request to the first token as its consumer sees it, on short prompts, one at a
    /// time; sample i has the same prompt on both sides, and which side goes first alternates.
    /// </summary>
    private static async Task<(List<FirstToken> InProcess, List<FirstToken> Worker)> TimeToFirstTokenAsync((string, IInferenceEngine)[] sides, int samples)
    {
        var times = new[] { new List<FirstToken>(), new List<FirstToken>() };
        for (var i = -2; i < samples; i++)
        {
            foreach (var side in i % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var first = await FirstTokenAsync(sides[side].Item2, $"Say hello to visitor number {i + 3}");
                if (i >= 0)
                {
                    times[side].Add(first);
                }
            }
        }

        return (times[0], times[1]);
    }

    /// <summary>A first token: as the caller saw it, and as the engine that produced it measured it (ms).</summary>
    private sealed record FirstToken(double Observed, double Engine);

    private static async Task<FirstToken> FirstTokenAsync(IInferenceEngine engine, string prompt)
    {
        var clock = Stopwatch.StartNew();
        var generation = engine.GenerateAsync(EngineMeasure.Request(prompt, 1));
        double? first = null;
        await foreach (var _ in generation)
        {
            first ??= clock.Elapsed.TotalMilliseconds;
        }

        var result = await generation.Completion;
        return result.CompletionTokens == 1 && first is { } ms && result.TimeToFirstToken is { } own
            ? new FirstToken(ms, own.TotalMilliseconds)
            : throw new InvalidOperationException($"A one-token generation ended {result.FinishReason} with {result.CompletionTokens} tokens: {result.Error}");
    }

    private static Dictionary<string, string?> InferenceSettings(BenchSettings settings)
    {
        var invariant = CultureInfo.InvariantCulture;
        var inference = new Dictionary<string, string?>
        {
            ["Inference:Backend"] = settings.Backend.ToString(),
            ["Inference:GpuLayers"] = settings.GpuLayers.ToString(invariant),
            ["Inference:Threads"] = settings.Threads.ToString(invariant),
            ["Inference:ContextSize"] = settings.ContextSize.ToString(invariant),
            ["Inference:Slots"] = settings.Concurrency.Max().ToString(invariant),
            ["Inference:BatchSize"] = "512",
        };
        if (settings.NativeFolder is { } native)
        {
            inference["Inference:NativeLibraryPath"] = Path.GetFullPath(native);
        }

        return inference;
    }

    private static string Signed(double milliseconds) => $"{milliseconds:+0.00;-0.00} ms";

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";

    private static string[] Prompts(int n) => [.. Enumerable.Range(0, n).Select(i => $"Conversation number {i} starts")];

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }
}
