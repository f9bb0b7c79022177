using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Portal.Bench;
using Portal.Inference;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;

// Throughput of Portal.Inference against a plain llama.cpp loop over the same library, in one run.
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

// Engine first (warm-up included), then the reference over the same library.
await Generate(engine, "warm up", 8);
// Best of three single streams: tokens after the first over the time after the first.
var engineDecode = 0.0;
GenerationResult single = null!;
for (var run = 0; run < 3; run++)
{
    single = await Generate(engine, "Conversation number 0 starts", settings.DecodeTokens);
    engineDecode = Math.Max(engineDecode, (single.CompletionTokens - 1) / (single.TotalTime - single.TimeToFirstToken!.Value).TotalSeconds);
}

// Best of three prompt runs (time to first token of a one-token answer), as for the reference.
var enginePrompt = 0.0;
var promptTokenCount = 0;
for (var run = 0; run < 3; run++)
{
    var promptRun = await Generate(engine, promptText, 1);
    promptTokenCount = promptRun.PromptTokens;
    enginePrompt = Math.Max(enginePrompt, promptRun.PromptTokens / promptRun.TimeToFirstToken!.Value.TotalSeconds);
}

var decodePrompt = LlamaText.Tokenize(runner.Vocab, "Conversation number 0 starts", addSpecial: true, parseSpecial: true);
var reference = ReferenceLoop.Run(modelPath, promptTokens, decodePrompt, settings.DecodeTokens, settings.ContextSize, settings.Threads, gpuLayers, 512);

Console.WriteLine();
Console.WriteLine($"{"measure",-34} {"engine",10} {"reference",10} {"ratio",7}  target");
Row($"decode tok/s, 1 stream ({single.CompletionTokens} tok)", engineDecode, reference.DecodeTokensPerSecond, ">= 0.95");
Row($"prompt tok/s, {promptTokenCount}-token prompt", enginePrompt, reference.PromptTokensPerSecond, ">= 0.95");

Console.WriteLine();
var aggregate = new Dictionary<int, double>();
foreach (var n in settings.Concurrency)
{
    var clock = Stopwatch.StartNew();
    var results = await Task.WhenAll(Enumerable.Range(0, n).Select(i => Generate(engine, $"Conversation number {i} starts", settings.DecodeTokens)));
    aggregate[n] = results.Sum(r => r.CompletionTokens) / clock.Elapsed.TotalSeconds;
    Console.WriteLine($"aggregate decode tok/s, {n,2} conversations {aggregate[n],10:F1}   ({results.Sum(r => r.CompletionTokens)} tokens, {clock.Elapsed.TotalSeconds:F2} s)");
}

var low = settings.Concurrency.Min();
var high = settings.Concurrency.Max();
Console.WriteLine($"ratio {high}/{low} conversations {aggregate[high] / aggregate[low],19:F2}   target >= 3");

Console.WriteLine();
foreach (var busy in new[] { 1, high })
{
    var others = Enumerable.Range(0, busy - 1).Select(i => engine.GenerateAsync(Request($"Background {i}", 100_000))).ToList();
    var victim = engine.GenerateAsync(Request("Cancel me soon", 100_000));
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

static GenerationRequest Request(string prompt, int maxTokens) => new()
{
    ModelId = "bench",
    Prompt = prompt,
    MaxTokens = maxTokens,
    Sampling = SamplingSettings.Greedy,
};

static Task<GenerationResult> Generate(IInferenceEngine engine, string prompt, int maxTokens) =>
    engine.GenerateAsync(Request(prompt, maxTokens)).Completion;

static void Row(string name, double engine, double reference, string target) =>
    Console.WriteLine($"{name,-34} {engine,10:F1} {reference,10:F1} {engine / reference,7:F3}  {target}");

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

// The real-dimension model (24 layers, 896-dim, Q8_0) is written once into .tmp/bench.
static string CachedModel(string? cache, bool tiny)
{
    var root = new DirectoryInfo(AppContext.BaseDirectory);
    while (root is not null && !File.Exists(Path.Combine(root.FullName, "Portal.sln")))
    {
        root = root.Parent;
    }

    var folder = cache ?? Path.Combine(root?.FullName ?? Path.GetTempPath(), ".tmp", "bench");
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
