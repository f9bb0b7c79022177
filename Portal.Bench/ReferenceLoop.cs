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

    public static Figures Run(string modelPath, int[] prompt, int decodeTokens, int contextSize, int threads, int gpuLayers, int batchSize)
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

        var clock = Stopwatch.StartNew();
        Decode(ctx, prompt);
        var token = LlamaNative.llama_sampler_sample(sampler.DangerousGetHandle(), ctx, -1);
        var promptSeconds = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var decoded = 0;
        for (; decoded < decodeTokens - 1; decoded++)
        {
            Decode(ctx, [token]);
            token = LlamaNative.llama_sampler_sample(sampler.DangerousGetHandle(), ctx, -1);
        }

        return new Figures(prompt.Length / promptSeconds, decoded / clock.Elapsed.TotalSeconds, decoded);
    }

    private static void Decode(nint context, ReadOnlySpan<int> tokens)
    {
        fixed (int* pointer = tokens)
        {
            NativeStatus.CheckDecode(LlamaNative.llama_decode(context, LlamaNative.llama_batch_get_one(pointer, tokens.Length)));
        }
    }
}
