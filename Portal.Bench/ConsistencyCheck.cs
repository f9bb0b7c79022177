using Portal.Inference.Engine;

namespace Portal.Bench;

/// <summary>
/// The checks of the CUDA tests, for machines that get the benchmark but not the test project:
/// on the tiny model, greedy output repeats and conversations decoded together equal each alone.
/// </summary>
internal static class ConsistencyCheck
{
    public static async Task<bool> RunAsync(IInferenceEngine engine, string tinyModelPath)
    {
        await engine.LoadAsync(new ModelLoadRequest("check", tinyModelPath) { Slots = 4, ContextSize = 256 });
        string[] prompts = ["The quick brown fox", "abc", "0123456789", "Hello there"];
        var alone = new List<string>();
        foreach (var prompt in prompts)
        {
            alone.Add((await engine.GenerateAsync(Greedy(prompt)).Completion).Text);
        }

        var together = await Task.WhenAll(prompts.Select(p => engine.GenerateAsync(Greedy(p)).Completion));
        var again = await engine.GenerateAsync(Greedy(prompts[0])).Completion;
        var batchedEqual = alone.SequenceEqual(together.Select(r => r.Text));
        var repeatable = alone[0] == again.Text;
        Console.WriteLine($"check      batched == alone: {(batchedEqual ? "PASS" : "FAIL")}, greedy repeatable: {(repeatable ? "PASS" : "FAIL")}, finish {string.Join(",", together.Select(r => r.FinishReason))}");
        await engine.UnloadAsync("check");
        return batchedEqual && repeatable;
    }

    private static GenerationRequest Greedy(string prompt) =>
        new() { ModelId = "check", Prompt = prompt, MaxTokens = 24, Sampling = SamplingSettings.Greedy };
}
