using System.Diagnostics;
using Portal.Inference.Native;

namespace Portal.Bench;

/// <summary>
/// The yardstick: llama.cpp driven the plain way, with the engine's context settings (one unified KV
/// cache of <c>slots</c> sequences, the same batch size, threads and flash-attention setting): all
/// prompts in one batch, then one batch per step holding each sequence's next token, greedy.
/// </summary>
internal sealed unsafe class BatchedReference : IDisposable
{
    private readonly SafeLlamaModelHandle model;
    private readonly SafeLlamaContextHandle context;
    private readonly SafeLlamaSamplerHandle sampler;
    private readonly SafeLlamaBatchHandle batch;
    private readonly nint vocab;

    public BatchedReference(string modelPath, int contextSize, int slots, int threads, int gpuLayers, int batchSize)
    {
        var modelParams = LlamaNative.llama_model_default_params();
        modelParams.n_gpu_layers = gpuLayers;
        model = SafeLlamaModelHandle.LoadFromFile(modelPath, modelParams);
        vocab = model.Vocab;
        var contextParams = LlamaNative.llama_context_default_params();
        contextParams.n_ctx = (uint)(contextSize * slots);
        contextParams.n_seq_max = (uint)slots;
        contextParams.n_batch = (uint)batchSize;
        contextParams.n_ubatch = (uint)batchSize;
        contextParams.n_threads = threads;
        contextParams.n_threads_batch = threads;
        contextParams.kv_unified = true;
        contextParams.flash_attn_type = LlamaContextParams.FlashAttentionAuto;
        contextParams.op_offload = gpuLayers != 0;
        context = SafeLlamaContextHandle.Create(model, contextParams);
        sampler = SafeLlamaSamplerHandle.CreateChain();
        sampler.Add(LlamaNative.llama_sampler_init_greedy());
        batch = SafeLlamaBatchHandle.Create(batchSize);
    }

    /// <summary>Decode rate of <paramref name="prompts"/>.Length sequences, from the moment all have their first token.</summary>
    public DecodeFigures Decode(IReadOnlyList<int[]> prompts, int tokens)
    {
        LlamaNative.llama_memory_clear(context.Memory, true);
        var n = prompts.Count;
        var positions = new int[n];
        var last = new int[n];
        var counts = new int[n];
        var logitIndex = new int[n];
        var done = new bool[n];

        // Prefill: as many whole prompts per batch as fit; each last token asks for logits.
        for (var first = 0; first < n;)
        {
            batch.Clear();
            var end = first;
            while (end < n && batch.Batch.n_tokens + prompts[end].Length <= batch.Capacity)
            {
                for (var i = 0; i < prompts[end].Length; i++)
                {
                    logitIndex[end] = batch.Add(prompts[end][i], i, end, wantLogits: i == prompts[end].Length - 1);
                }

                positions[end] = prompts[end].Length;
                end++;
            }

            Check(LlamaNative.llama_decode(context.DangerousGetHandle(), batch.Batch));
            for (var s = first; s < end; s++)
            {
                Accept(s, LlamaNative.llama_sampler_sample(sampler.DangerousGetHandle(), context.DangerousGetHandle(), logitIndex[s]));
            }

            first = end;
        }

        // Every sequence has its first token: decode is timed from here.
        var clock = Stopwatch.StartNew();
        var decoded = 0;
        while (!done.All(d => d))
        {
            batch.Clear();
            for (var s = 0; s < n; s++)
            {
                if (!done[s])
                {
                    logitIndex[s] = batch.Add(last[s], positions[s]++, s, wantLogits: true);
                }
            }

            Check(LlamaNative.llama_decode(context.DangerousGetHandle(), batch.Batch));
            for (var s = 0; s < n; s++)
            {
                if (!done[s])
                {
                    Accept(s, LlamaNative.llama_sampler_sample(sampler.DangerousGetHandle(), context.DangerousGetHandle(), logitIndex[s]));
                    decoded++;
                }
            }
        }

        return new DecodeFigures(decoded / clock.Elapsed.TotalSeconds, counts);

        void Accept(int s, int token)
        {
            counts[s]++;
            last[s] = token;
            done[s] = counts[s] >= tokens || LlamaNative.llama_vocab_is_eog(vocab, token);
        }
    }

    /// <summary>Prompt rate: the prompt in batches of the batch size, then the first token sampled.</summary>
    public double Prompt(int[] prompt)
    {
        LlamaNative.llama_memory_clear(context.Memory, true);
        var clock = Stopwatch.StartNew();
        var index = 0;
        for (var start = 0; start < prompt.Length; start += batch.Capacity)
        {
            batch.Clear();
            var end = Math.Min(prompt.Length, start + batch.Capacity);
            for (var i = start; i < end; i++)
            {
                index = batch.Add(prompt[i], i, 0, wantLogits: i == prompt.Length - 1);
            }

            Check(LlamaNative.llama_decode(context.DangerousGetHandle(), batch.Batch));
        }

        var first = LlamaNative.llama_sampler_sample(sampler.DangerousGetHandle(), context.DangerousGetHandle(), index);
        var seconds = clock.Elapsed.TotalSeconds;
        return first >= 0 ? prompt.Length / seconds : throw new InvalidOperationException("No token sampled.");
    }

    public void Dispose()
    {
        batch.Dispose();
        sampler.Dispose();
        context.Dispose();
        model.Dispose();
    }

    private static void Check(int status) => NativeStatus.CheckDecode(status);
}

/// <summary>Decode tokens per second over all sequences, and the tokens each sequence produced.</summary>
internal sealed record DecodeFigures(double TokensPerSecond, int[] Counts, string[]? Texts = null);
