namespace Portal.Inference.Gguf;

/// <summary>
/// Variants of the tiny test model that pass the managed validator yet make llama.cpp abort or crash
/// (GGML_ASSERT, an uncaught C++ exception, an unsupported type) at some stage: what the worker
/// processes exist for. Written by rewriting the tiny model's metadata, tensor types and shapes.
/// One variant per stage: load, context creation, tokenization, first decode.
/// Tried and NOT crashing with llama.cpp v0.5.0 (it fails them gracefully, or the validator refuses
/// them): "t5", "rwkv" and "plamo2" vocabularies of the same tokens, a "gpt2" vocabulary without byte tokens or with merges of unknown tokens (loads, falls back),
/// rope dimensions above the head size ("invalid n_rot"), per-layer KV heads (with K/V tensors shaped per layer) that do not divide the
/// heads ("wrong shape"), a training context of 0 (validator).
/// </summary>
public static class MalformedTestModels
{
    /// <summary>The variants by name, each a change of the tiny model's metadata or tensor types.</summary>
    public static IReadOnlyDictionary<string, Defect> Defects { get; } = new Dictionary<string, Defect>(StringComparer.Ordinal)
    {
        // Norm weights in F16: the CPU backend's multiply of F32 by F16 is unsupported at the first decode.
        ["f16-norms"] = new(TensorType: (name, type) => name.EndsWith("_norm.weight", StringComparison.Ordinal) ? GgmlType.F16 : type),

        // A WordPiece ("bert") vocabulary of SentencePiece tokens: llama.cpp aborts while loading the vocabulary
        // (llama-vocab.cpp "fatal error", GGML_ABORT).
        ["bert-vocabulary-of-sentencepiece-tokens"] = new(Metadata: m => m["tokenizer.ggml.model"] = GgufValue.String("bert")),

        // Per-layer KV heads of 2 then 3: the llama loader shapes every layer's K/V tensors by layer 0 (so
        // the file loads), the KV cache sizes layer 1 for 3 heads, and the graph that creating the context
        // reserves asserts (ggml.c "GGML_ASSERT(a->ne[0] == b->ne[0])").
        ["kv-heads-differ-per-layer"] = new(Metadata: m => m["llama.attention.head_count_kv"] = GgufValue.Int32Array([TestModels.TinyLlamaShape.HeadCountKv, 3])),

        // A SentencePiece vocabulary without the 256 byte tokens: a character outside it falls back to
        // bytes, llama_vocab::byte_to_token's token_to_id.at() throws std::out_of_range through
        // llama_tokenize, and the uncaught exception aborts the process at the first non-ASCII text.
        ["sentencepiece-without-byte-tokens"] = new(
            Metadata: WithoutByteTokens,
            TensorShape: (name, shape) => name is "token_embd.weight" or "output.weight" ? [shape[0], shape[1] - 256] : shape),
    };

    /// <summary>Removes <see cref="TestVocabulary"/>'s byte tokens (ids 3..258) from the vocabulary arrays.</summary>
    private static void WithoutByteTokens(Dictionary<string, GgufValue> metadata)
    {
        static bool Kept(int id) => id < TestVocabulary.EosId + 1 || id > TestVocabulary.EosId + 256;
        var tokens = ((string[])metadata[GgufValidator.TokensKey].AsArray()!.Items).Where((_, i) => Kept(i)).ToArray();
        metadata[GgufValidator.TokensKey] = GgufValue.StringArray(tokens);
        metadata[GgufValidator.ScoresKey] = GgufValue.Float32Array(((float[])metadata[GgufValidator.ScoresKey].AsArray()!.Items).Where((_, i) => Kept(i)).ToArray());
        metadata[GgufValidator.TokenTypesKey] = GgufValue.Int32Array(((int[])metadata[GgufValidator.TokenTypesKey].AsArray()!.Items).Where((_, i) => Kept(i)).ToArray());
        metadata["llama.vocab_size"] = GgufValue.UInt32((uint)tokens.Length);
    }

    /// <summary>Writes the tiny model with <paramref name="defectName"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, string defectName, int seed = 42)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Write(path, Defects[defectName], seed);
    }

    /// <summary>Writes the tiny model changed by <paramref name="defect"/> to <paramref name="path"/>.</summary>
    public static void Write(string path, Defect defect, int seed = 42)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(defect);
        var good = path + ".good";
        TestModels.WriteTinyLlama(good, seed);
        try
        {
            var header = GgufHeaderReader.Read(good);
            var metadata = header.MetadataEntries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            var order = header.MetadataEntries.Select(e => e.Key).ToList();
            defect.Metadata?.Invoke(metadata);
            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            using var writer = new GgufWriter(file, leaveOpen: true);
            foreach (var key in order.Where(metadata.ContainsKey).Concat(metadata.Keys.Except(order)))
            {
                if (key != GgufWriter.AlignmentKey)
                {
                    writer.AddMetadata(key, metadata[key]);
                }
            }

            writer.AddUInt32(GgufWriter.AlignmentKey, GgufWriter.DefaultAlignment);
            foreach (var tensor in header.Tensors)
            {
                writer.AddTensor(tensor.Name, defect.TensorType?.Invoke(tensor.Name, tensor.Type) ?? tensor.Type, defect.TensorShape?.Invoke(tensor.Name, [.. tensor.Shape]) ?? [.. tensor.Shape]);
            }

            writer.WriteHeader();
            var weights = new TestWeights(new DeterministicRandom(unchecked((ulong)seed)));
            foreach (var tensor in writer.Tensors)
            {
                weights.Write(writer, tensor);
            }

            writer.Finish();
        }
        finally
        {
            File.Delete(good);
        }
    }

    /// <summary>A change to the tiny model: metadata edited in place, and/or a tensor's type by name.</summary>
    public sealed record Defect(
        Action<Dictionary<string, GgufValue>>? Metadata = null,
        Func<string, GgmlType, GgmlType>? TensorType = null,
        Func<string, ulong[], ulong[]>? TensorShape = null);
}
