namespace Portal.Inference.Gguf;

/// <summary>
/// Generates llama-architecture GGUF models with random weights: deterministic for a seed (same
/// seed, byte-identical file), loadable by llama.cpp, and written as a stream.
/// </summary>
public static class TestModels
{
    /// <summary>The ChatML template; llama.cpp recognises it by "&lt;|im_start|&gt;".</summary>
    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    public const string TinyLlamaName = "portal-tiny-llama";

    /// <summary>Shape of <see cref="WriteTinyLlama"/>: 2 layers, 64-dim, 4 heads, 2 KV heads, 128 FFN, F32.</summary>
    public static BenchmarkModelShape TinyLlamaShape { get; } = new()
    {
        BlockCount = 2,
        EmbeddingLength = 64,
        HeadCount = 4,
        HeadCountKv = 2,
        FeedForwardLength = 128,
        VocabularySize = TestVocabulary.BaseTokenCount,
        ContextLength = 2048,
        WeightType = GgmlType.F32,
        Name = TinyLlamaName,
    };

    /// <summary>Writes the tiny llama model (about 490 KB) to <paramref name="path"/>.</summary>
    public static void WriteTinyLlama(string path, int seed = 42, bool includeChatTemplate = true) =>
        WriteBenchmarkModel(path, TinyLlamaShape with { IncludeChatTemplate = includeChatTemplate }, seed);

    /// <summary>Writes a model of <paramref name="shape"/> (default: about 450 MB of Q8_0) to <paramref name="path"/>.</summary>
    public static void WriteBenchmarkModel(string path, BenchmarkModelShape? shape = null, int seed = 7)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        shape ??= new BenchmarkModelShape();
        shape.Validate();

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
        Write(file, shape, seed);
    }

    /// <summary>Writes a model of <paramref name="shape"/> to <paramref name="output"/>, leaving it open.</summary>
    public static void Write(Stream output, BenchmarkModelShape shape, int seed)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(shape);
        shape.Validate();

        using var writer = new GgufWriter(output, leaveOpen: true);
        AddMetadata(writer, shape);
        AddTensors(writer, shape);
        writer.WriteHeader();

        var weights = new TestWeights(new DeterministicRandom(unchecked((ulong)seed)));
        foreach (var tensor in writer.Tensors)
        {
            weights.Write(writer, tensor);
        }

        writer.Finish();
    }

    private static void AddMetadata(GgufWriter writer, BenchmarkModelShape shape)
    {
        writer.AddString("general.architecture", "llama");
        writer.AddString("general.name", shape.Name);
        writer.AddUInt32("general.file_type", (uint)FileTypeOf(shape.WeightType));
        writer.AddUInt32("general.quantization_version", 2);
        writer.AddUInt32(GgufWriter.AlignmentKey, GgufWriter.DefaultAlignment);

        writer.AddUInt32("llama.vocab_size", (uint)shape.VocabularySize);
        writer.AddUInt32("llama.context_length", (uint)shape.ContextLength);
        writer.AddUInt32("llama.embedding_length", (uint)shape.EmbeddingLength);
        writer.AddUInt32("llama.block_count", (uint)shape.BlockCount);
        writer.AddUInt32("llama.feed_forward_length", (uint)shape.FeedForwardLength);
        writer.AddUInt32("llama.attention.head_count", (uint)shape.HeadCount);
        writer.AddUInt32("llama.attention.head_count_kv", (uint)shape.HeadCountKv);
        writer.AddFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        writer.AddUInt32("llama.rope.dimension_count", (uint)shape.HeadDimension);
        writer.AddFloat32("llama.rope.freq_base", 10000f);

        var (tokens, scores, types) = TestVocabulary.Build(shape.VocabularySize);
        writer.AddString("tokenizer.ggml.model", "llama");
        writer.AddMetadata("tokenizer.ggml.tokens", GgufValue.StringArray(tokens));
        writer.AddMetadata("tokenizer.ggml.scores", GgufValue.Float32Array(scores));
        writer.AddMetadata("tokenizer.ggml.token_type", GgufValue.Int32Array(types));
        writer.AddUInt32("tokenizer.ggml.unknown_token_id", TestVocabulary.UnknownId);
        writer.AddUInt32("tokenizer.ggml.bos_token_id", TestVocabulary.BosId);
        writer.AddUInt32("tokenizer.ggml.eos_token_id", TestVocabulary.EosId);
        writer.AddBool("tokenizer.ggml.add_bos_token", true);
        writer.AddBool("tokenizer.ggml.add_eos_token", false);
        if (shape.IncludeChatTemplate)
        {
            writer.AddString("tokenizer.chat_template", ChatMlTemplate);
        }
    }

    /// <summary>Tensors and shapes (ne0 first) as llama.cpp's LLM_ARCH_LLAMA loader creates them.</summary>
    private static void AddTensors(GgufWriter writer, BenchmarkModelShape shape)
    {
        var embd = (ulong)shape.EmbeddingLength;
        var vocab = (ulong)shape.VocabularySize;
        var ff = (ulong)shape.FeedForwardLength;
        var kv = (ulong)(shape.HeadDimension * shape.HeadCountKv);
        var weights = shape.WeightType;

        writer.AddTensor("token_embd.weight", weights, embd, vocab);
        writer.AddTensor("output_norm.weight", GgmlType.F32, embd);
        writer.AddTensor("output.weight", weights, embd, vocab);
        for (var i = 0; i < shape.BlockCount; i++)
        {
            writer.AddTensor($"blk.{i}.attn_norm.weight", GgmlType.F32, embd);
            writer.AddTensor($"blk.{i}.attn_q.weight", weights, embd, embd);
            writer.AddTensor($"blk.{i}.attn_k.weight", weights, embd, kv);
            writer.AddTensor($"blk.{i}.attn_v.weight", weights, embd, kv);
            writer.AddTensor($"blk.{i}.attn_output.weight", weights, embd, embd);
            writer.AddTensor($"blk.{i}.ffn_norm.weight", GgmlType.F32, embd);
            writer.AddTensor($"blk.{i}.ffn_gate.weight", weights, embd, ff);
            writer.AddTensor($"blk.{i}.ffn_up.weight", weights, embd, ff);
            writer.AddTensor($"blk.{i}.ffn_down.weight", weights, ff, embd);
        }
    }

    private static LlamaFileType FileTypeOf(GgmlType weights) => weights switch
    {
        GgmlType.F32 => LlamaFileType.AllF32,
        GgmlType.F16 => LlamaFileType.MostlyF16,
        GgmlType.Q8_0 => LlamaFileType.MostlyQ8_0,
        _ => throw new ArgumentOutOfRangeException(nameof(weights), weights, "No generator for this weight type."),
    };
}
