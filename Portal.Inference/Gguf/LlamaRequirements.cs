namespace Portal.Inference.Gguf;

/// <summary>
/// What llama.cpp's LLM_ARCH_LLAMA loader needs: its hyper-parameter keys with sane values (a head
/// count of 0 would divide by zero), a tokenizer, and the embedding tensors with matching shapes.
/// </summary>
internal static class LlamaRequirements
{
    private static readonly string[] RequiredIntegerKeys =
    [
        "llama.context_length",
        "llama.embedding_length",
        "llama.block_count",
        "llama.feed_forward_length",
        "llama.attention.head_count",
    ];

    public static void Validate(GgufHeader header)
    {
        foreach (var key in RequiredIntegerKeys)
        {
            var value = Require(header, key);
            foreach (var item in IntegersOf(key, value))
            {
                if (item < 1)
                {
                    throw new GgufValidationException(GgufError.InvalidHyperParameter, $"'{key}' is {item}; it must be above zero.");
                }
            }
        }

        var context = GgufValidator.RequireInteger("llama.context_length", header.Get("llama.context_length")!);
        if (context > GgufLimits.MaxContextLength)
        {
            throw new GgufValidationException(GgufError.InvalidHyperParameter, $"'llama.context_length' is {context}; at most {GgufLimits.MaxContextLength} is accepted.");
        }

        var epsilon = Require(header, "llama.attention.layer_norm_rms_epsilon");
        if (epsilon.AsDouble() is not { } eps)
        {
            throw new GgufValidationException(GgufError.WrongKeyType, $"'llama.attention.layer_norm_rms_epsilon' is of type {GgufValidator.Describe(epsilon)}; it must be a float.");
        }

        if (!double.IsFinite(eps) || eps < 0)
        {
            throw new GgufValidationException(GgufError.InvalidHyperParameter, $"'llama.attention.layer_norm_rms_epsilon' is {eps}; it must be a finite, non-negative number.");
        }

        ValidateHeads(header);
        ValidateTokenizer(header);
        ValidateEmbeddingTensors(header);
    }

    private static void ValidateHeads(GgufHeader header)
    {
        var embedding = GgufValidator.RequireInteger("llama.embedding_length", header.Get("llama.embedding_length")!);
        var heads = IntegersOf("llama.attention.head_count", header.Get("llama.attention.head_count")!).First();
        if (embedding % heads != 0)
        {
            throw new GgufValidationException(GgufError.InvalidHyperParameter, $"'llama.embedding_length' {embedding} is not a multiple of 'llama.attention.head_count' {heads}.");
        }

        // The llama graph asserts (aborting the process) that key and value heads have the same size.
        var headSize = embedding / heads;
        var keyLength = OptionalInteger(header, "llama.attention.key_length") ?? headSize;
        var valueLength = OptionalInteger(header, "llama.attention.value_length") ?? headSize;
        if (keyLength != valueLength)
        {
            throw new GgufValidationException(GgufError.InvalidHyperParameter, $"'llama.attention.key_length' {keyLength} differs from 'llama.attention.value_length' {valueLength}; llama needs them equal.");
        }

        var kvValue = header.Get("llama.attention.head_count_kv");
        if (kvValue is not null)
        {
            var kv = IntegersOf("llama.attention.head_count_kv", kvValue).First();
            if (kv < 1 || heads % kv != 0)
            {
                throw new GgufValidationException(GgufError.InvalidHyperParameter, $"'llama.attention.head_count_kv' is {kv}; it must be above zero and divide the head count {heads}.");
            }
        }
    }

    private static void ValidateTokenizer(GgufHeader header)
    {
        GgufValidator.RequireString(header, "tokenizer.ggml.model");
        var tokens = Require(header, GgufValidator.TokensKey);
        GgufValidator.RequireArray(GgufValidator.TokensKey, tokens, GgufValueType.String);
    }

    private static void ValidateEmbeddingTensors(GgufHeader header)
    {
        var embedding = (ulong)GgufValidator.RequireInteger("llama.embedding_length", header.Get("llama.embedding_length")!);
        var vocabulary = (ulong)header.Get(GgufValidator.TokensKey)!.AsArray()!.Count;
        var byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);

        ExpectShape(byName, "token_embd.weight", [embedding, vocabulary]);
        ExpectShape(byName, "output_norm.weight", [embedding]);
        if (byName.ContainsKey("output.weight"))
        {
            ExpectShape(byName, "output.weight", [embedding, vocabulary]);
        }
    }

    private static void ExpectShape(Dictionary<string, GgufTensorInfo> byName, string name, ulong[] expected)
    {
        if (!byName.TryGetValue(name, out var tensor))
        {
            throw new GgufValidationException(GgufError.MissingTensor, $"Required tensor '{name}' is missing.");
        }

        if (!tensor.Shape.SequenceEqual(expected))
        {
            throw new GgufValidationException(GgufError.TensorShapeMismatch, $"Tensor '{name}' has shape [{string.Join(", ", tensor.Shape)}]; the metadata implies [{string.Join(", ", expected)}].");
        }
    }

    private static long? OptionalInteger(GgufHeader header, string key) =>
        header.Get(key) is { } value ? GgufValidator.RequireInteger(key, value) : null;

    private static GgufValue Require(GgufHeader header, string key) =>
        header.Get(key) ?? throw new GgufValidationException(GgufError.MissingKey, $"Required metadata '{key}' is missing for architecture 'llama'.");

    /// <summary>An integer, or (as llama.cpp allows for per-layer values) a non-empty array of integers.</summary>
    private static IEnumerable<long> IntegersOf(string key, GgufValue value)
    {
        if (value.AsArray() is not { } array)
        {
            return [GgufValidator.RequireInteger(key, value)];
        }

        var items = array.Items.Cast<object>().Select(item => item switch
        {
            int i => (long?)i,
            uint u => u,
            _ => null,
        }).ToList();
        return items.Count > 0 && items.All(i => i.HasValue)
            ? items.Select(i => i!.Value)
            : throw new GgufValidationException(GgufError.WrongKeyType, $"'{key}' is of type {GgufValidator.Describe(value)}; it must be an integer or a non-empty array of 32-bit integers.");
    }
}
