using System.Diagnostics;
using Portal.Inference.Engine;

namespace Portal.Bench;

/// <summary>The engine's side of each figure, measured the way <see cref="BatchedReference"/> measures llama.cpp.</summary>
internal static class EngineMeasure
{
    /// <summary>
    /// Runs one generation per prompt at once; the decode rate counts the tokens produced after the
    /// moment every generation had its first token, over the time from then to the last one's end.
    /// </summary>
    public static async Task<DecodeFigures> DecodeAsync(IInferenceEngine engine, IReadOnlyList<string> prompts, int tokens)
    {
        var n = prompts.Count;
        var progress = new int[n];
        var started = 0;
        var tokensAtStart = 0L;
        var clock = new Stopwatch();
        var gate = new Lock();
        var generations = prompts.Select(p => engine.GenerateAsync(Request(p, tokens))).ToList();
        var readers = generations.Select((generation, i) => Task.Run(async () =>
        {
            await foreach (var chunk in generation)
            {
                lock (gate)
                {
                    if (progress[i] == 0 && ++started == n)
                    {
                        tokensAtStart = progress.Sum() + chunk.CompletionTokens;
                        clock.Start();
                    }

                    progress[i] = chunk.CompletionTokens;
                }
            }
        })).ToList();
        await Task.WhenAll(readers);
        clock.Stop();
        var results = await Task.WhenAll(generations.Select(g => g.Completion));
        var total = results.Sum(r => r.CompletionTokens);
        return new DecodeFigures((total - tokensAtStart) / clock.Elapsed.TotalSeconds, [.. results.Select(r => r.CompletionTokens)], [.. results.Select(r => r.Text)]);
    }

    /// <summary>Prompt rate: prompt tokens over the time to the first token of a one-token answer.</summary>
    public static async Task<double> PromptAsync(IInferenceEngine engine, string prompt)
    {
        var result = await engine.GenerateAsync(Request(prompt, 1)).Completion;
        return result.PromptTokens / result.TimeToFirstToken!.Value.TotalSeconds;
    }

    public static GenerationRequest Request(string prompt, int maxTokens) => new()
    {
        ModelId = "bench",
        Prompt = prompt,
        MaxTokens = maxTokens,
        Sampling = SamplingSettings.Greedy,
    };
}
