using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Bench;
using Portal.Inference;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;

// The worker process of the "workers" mode: the node host started this executable as its Portal.Worker.
if (Portal.Bench.Workers.WorkersBench.IsWorker)
{
    Environment.ExitCode = await Portal.Worker.WorkerProgram.Main(args);
    return;
}

// Throughput of Portal.Inference against a plain batched llama.cpp loop over the same library, file and
// context settings, in one process. "accounting" as the first argument runs the usage-report benchmark instead.
if (args.FirstOrDefault() == "accounting")
{
    await Portal.Bench.Accounting.AccountingBench.RunAsync(args[1..], Path.Combine(RepositoryRoot() ?? Path.GetTempPath(), ".tmp", "bench"));
    return;
}

// "workers": the in-process engine against the worker path over the node hub (32 tokens, N=1 and 4 unless told).
if (args.FirstOrDefault() == "workers")
{
    var workers = BenchSettings.Parse(["--tokens", "32", "--concurrency", "1,4", .. args[1..]]);
    var cache = workers.CacheFolder ?? Path.Combine(RepositoryRoot() ?? Path.GetTempPath(), ".tmp", "bench");
    await Portal.Bench.Workers.WorkersBench.RunAsync(workers, workers.ModelPath ?? CachedModel(cache, workers.Tiny), cache);
    return;
}

var settings = BenchSettings.Parse(args);
if (settings.Prepare)
{
    CachedModel(settings.CacheFolder, tiny: true);
    CachedModel(settings.CacheFolder, tiny: false);
    return;
}

var modelPath = settings.ModelPath ?? CachedModel(settings.CacheFolder, settings.Tiny);
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var slots = settings.Concurrency.Max();
builder.AddInference(options =>
{
    options.NativeLibraryPath = settings.NativeFolder;
    options.Backend = settings.Backend;
    options.GpuLayers = settings.GpuLayers;
    options.Threads = settings.Threads;
    options.ContextSize = settings.ContextSize;
    options.Slots = slots;
    options.BatchSize = 512;
});
using var host = builder.Build();
await host.StartAsync();
var engine = host.Services.GetRequiredService<IInferenceEngine>();
var load = Stopwatch.StartNew();
var info = await engine.LoadAsync(new ModelLoadRequest("bench", modelPath));
Console.WriteLine($"model      {info.Description}, {info.Layers} layers, {info.GpuLayers} on GPU, loaded in {load.Elapsed.TotalSeconds:F1} s");
Console.WriteLine($"devices    {string.Join("; ", engine.Devices.Select(d => $"{d.Name} ({d.Description})"))}");
Console.WriteLine($"settings   threads {settings.Threads}, context {settings.ContextSize} per conversation, {slots} slots, decode {settings.DecodeTokens} tokens");

if (settings.Check && !await ConsistencyCheck.RunAsync(engine, CachedModel(settings.CacheFolder, tiny: true)))
{
    Environment.ExitCode = 1;
}

var gpuLayers = settings.Backend == InferenceBackend.Cuda ? settings.GpuLayers : 0;
var runner = ((InferenceEngine)engine).Runner("bench");
var promptText = PromptOf(runner.Vocab, settings.PromptTokens);
var promptTokens = LlamaText.Tokenize(runner.Vocab, promptText, addSpecial: true, parseSpecial: true);
string[] PromptsFor(int n) => [.. Enumerable.Range(0, n).Select(i => $"Conversation number {i} starts")];
using var reference = new BatchedReference(modelPath, settings.ContextSize, slots, settings.Threads, gpuLayers, 512);

// Warm-up of both sides, then three rounds: within each round, engine and reference take turns at
// every measure, so load that comes and goes hits both alike; each figure is the best of three.
await EngineMeasure.DecodeAsync(engine, PromptsFor(2), 8);
reference.Decode([.. PromptsFor(2).Select(p => LlamaText.Tokenize(runner.Vocab, p, true, true))], 8);
var engineDecode = settings.Concurrency.ToDictionary(n => n, _ => 0.0);
var referenceDecode = settings.Concurrency.ToDictionary(n => n, _ => 0.0);
var enginePrompt = 0.0;
var referencePrompt = 0.0;
var incomplete = new List<string>();
for (var round = 0; round < 3; round++)
{
    enginePrompt = Math.Max(enginePrompt, await EngineMeasure.PromptAsync(engine, promptText));
    referencePrompt = Math.Max(referencePrompt, reference.Prompt(promptTokens));
    foreach (var n in settings.Concurrency)
    {
        var prompts = PromptsFor(n);
        var ours = await EngineMeasure.DecodeAsync(engine, prompts, settings.DecodeTokens);
        var theirs = reference.Decode([.. prompts.Select(p => LlamaText.Tokenize(runner.Vocab, p, true, true))], settings.DecodeTokens);
        Complete("engine", n, ours);
        Complete("reference", n, theirs);
        engineDecode[n] = Math.Max(engineDecode[n], ours.TokensPerSecond);
        referenceDecode[n] = Math.Max(referenceDecode[n], theirs.TokensPerSecond);
        Console.WriteLine($"round {round + 1}  N={n,2}  engine {ours.TokensPerSecond,8:F1}  reference {theirs.TokensPerSecond,8:F1} tok/s");
    }
}

void Complete(string side, int n, DecodeFigures figures)
{
    if (figures.Counts.Any(c => c != settings.DecodeTokens))
    {
        incomplete.Add($"{side} N={n}: counts {string.Join(",", figures.Counts)}");
    }
}

var baseline = settings.Concurrency.Min();
Console.WriteLine();
Console.WriteLine($"{"measure",-30} {"engine",10} {"reference",10} {"eng/ref",8} {"eng N/" + baseline,8} {"ref N/" + baseline,8}");
foreach (var n in settings.Concurrency)
{
    Console.WriteLine(
        $"{$"decode tok/s, N={n}",-30} {engineDecode[n],10:F1} {referenceDecode[n],10:F1} {engineDecode[n] / referenceDecode[n],8:F3} "
        + $"{engineDecode[n] / engineDecode[baseline],8:F2} {referenceDecode[n] / referenceDecode[baseline],8:F2}");
}

Console.WriteLine($"{$"prompt tok/s, {promptTokens.Length} tokens",-30} {enginePrompt,10:F1} {referencePrompt,10:F1} {enginePrompt / referencePrompt,8:F3}");
Console.WriteLine("targets: eng/ref >= 0.95 everywhere; engine's 16/1 within 5% of the reference's");
if (incomplete.Count > 0)
{
    Console.WriteLine($"NOT every sequence produced {settings.DecodeTokens} tokens: {string.Join("; ", incomplete)}");
    Environment.ExitCode = 1;
}

Console.WriteLine();
var high = settings.Concurrency.Max();
foreach (var busy in new[] { 1, high })
{
    var others = Enumerable.Range(0, busy - 1).Select(i => engine.GenerateAsync(EngineMeasure.Request($"Background {i}", 100_000))).ToList();
    var victim = engine.GenerateAsync(EngineMeasure.Request("Cancel me soon", 100_000));
    await foreach (var chunk in victim)
    {
        if (chunk.CompletionTokens >= 4)
        {
            break;
        }
    }

    // Leaving the enumeration cancelled the request; its Completion is set once the slot is free.
    var clock = Stopwatch.StartNew();
    victim.Cancel();
    await victim.Completion;
    Console.WriteLine($"cancel -> slot free, {busy,2} active conversations {clock.Elapsed.TotalMilliseconds,8:F2} ms");
    others.ForEach(o => o.Cancel());
    await Task.WhenAll(others.Select(o => o.Completion));
}

await host.StopAsync();
return;

// A text of at most n tokens in this vocabulary: words added while the tokenizer stays within n.
static string PromptOf(nint vocab, int tokens)
{
    var words = "the quick brown fox jumps over a lazy dog while seven wizards quietly hex jumbo dwarves".Split(' ');
    var text = words[0];
    for (var i = 1; ; i++)
    {
        var longer = text + " " + words[i % words.Length];
        if (LlamaText.Tokenize(vocab, longer, true, true).Length > tokens)
        {
            return text;
        }

        text = longer;
    }
}

static string? RepositoryRoot()
{
    var root = new DirectoryInfo(AppContext.BaseDirectory);
    while (root is not null && !File.Exists(Path.Combine(root.FullName, "Portal.sln")))
    {
        root = root.Parent;
    }

    return root?.FullName;
}

// The real-dimension model (24 layers, 896-dim, Q8_0) is written once into .tmp/bench.
static string CachedModel(string? cache, bool tiny)
{
    var folder = cache ?? Path.Combine(RepositoryRoot() ?? Path.GetTempPath(), ".tmp", "bench");
    Directory.CreateDirectory(folder);
    var path = Path.Combine(folder, tiny ? "tiny.gguf" : "benchmark-24x896-q8_0.gguf");
    if (!File.Exists(path))
    {
        Console.WriteLine($"writing {path} ...");
        var partial = path + ".partial";
        if (tiny)
        {
            TestModels.WriteTinyLlama(partial);
        }
        else
        {
            TestModels.WriteBenchmarkModel(partial);
        }

        File.Move(partial, path);
    }

    return path;
}
