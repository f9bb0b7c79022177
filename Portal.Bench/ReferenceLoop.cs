using System.Diagnostics;
using Portal.Inference.Native;

namespace Portal.Bench;

/// <summary>
/// The yardstick: llama.cpp driven the plain way (one context of one sequence, the prompt in one
/// batch, then a greedy batch of one per token), with the same library, threads and context size.
/// </summary>
internal static unsafe class ReferenceLoop
{
    public sealed record Figures(double PromptTokensPerSecond, double DecodeTokensPerSecond, int DecodedTokens);

    public static Figures Run(string modelPath, int[] prompt, int[] decodePrompt, int decodeTokens, int contextSize, int threads, int gpuLayers, int batchSize)
    {
        var modelParams = LlamaNative.llama_model_default_params();
        modelParams.n_gpu_layers = gpuLayers;
        using var model = SafeLlamaModelHandle.LoadFromFile(modelPath, modelParams);
        var contextParams = LlamaNative.llama_context_default_params();
        contextParams.n_ctx = (uint)contextSize;
        contextParams.n_batch = (uint)batchSize;
        contextParams.n_ubatch = (uint)batchSize;
        contextParams.n_threads = threads;
        contextParams.n_threads_batch = threads;
        contextParams.op_offload = gpuLayers != 0;
        using var context = SafeLlamaContextHandle.Create(model, contextParams);
        using var sampler = SafeLlamaSamplerHandle.CreateChain();
        sampler.Add(LlamaNative.llama_sampler_init_greedy());
        var ctx = context.DangerousGetHandle();

        // Warm-up, as the engine's model has had its first decode by the time it is measured.
        Decode(ctx, prompt.AsSpan(0, 8));
        LlamaNative.llama_memory_clear(context.Memory, true);

        // Best of three, like the engine's figure: the first large batch also pays one-time set-up.
        var promptSeconds = double.MaxValue;
        var token = 0;
        for (var run = 0; run < 3; run++)
        {
            LlamaNative.llama_memory_clear(context.Memory, true);
            var started = Stopwatch.StartNew();
            for (var start = 0; start < prompt.Length; start += batchSize)
            {
                Decode(ctx, prompt.AsSpan(start, Math.Min(batchSize, prompt.Length - start)));
            }

            token = LlamaNative.llama_sampler_sample(sampler.DangerousGetHandle(), ctx, -1);
            promptSeconds = Math.Min(promptSeconds, started.Elapsed.TotalSeconds);
        }

        // Decode after the same short prompt as the engine's stream (attention cost grows with
        // position); best of three, like the engine's figure.
        var decodeRate = 0.0;
        var decoded = 0;
        for (var run = 0; run < 3; run++)
        {
            LlamaNative.llama_memory_clear(context.Memory, true);
            Decode(ctx, decodePrompt);
            token = LlamaNative.llama_sampler_sample(sampler.DangerousGetHandle(), ctx, -1);
            var clock = Stopwatch.StartNew();
            for (decoded = 0; decoded < decodeTokens - 1; decoded++)
            {
                Decode(ctx, [token]);
                token = LlamaNative.llama_sampler_sample(sampler.DangerousGetHandle(), ctx, -1);
            }

            decodeRate = Math.Max(decodeRate, decoded / clock.Elapsed.TotalSeconds);
        }

        return new Figures(prompt.Length / promptSeconds, decodeRate, decoded);
    }

    private static void Decode(nint context, ReadOnlySpan<int> tokens)
    {
        fixed (int* pointer = tokens)
        {
            NativeStatus.CheckDecode(LlamaNative.llama_decode(context, LlamaNative.llama_batch_get_one(pointer, tokens.Length)));
        }
    }
}
