using System.Globalization;

namespace Portal.Inference.Gguf;

/// <summary>
/// Checks a parsed <see cref="GgufHeader"/> for what would crash or mislead llama.cpp: tensor layout
/// inside the file, block count, vocabulary and special-token ids, and for architecture "llama" its
/// required keys and tensors. Never reads tensor data. Throws <see cref="GgufValidationException"/>.
/// </summary>
public static class GgufValidator
{
    public const string ArchitectureKey = "general.architecture";
    public const string TokensKey = "tokenizer.ggml.tokens";
    public const string ScoresKey = "tokenizer.ggml.scores";
    public const string TokenTypesKey = "tokenizer.ggml.token_type";

    public static void Validate(GgufHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        ValidateTensorLayout(header);
        var architecture = RequireString(header, ArchitectureKey);
        var blockCount = ValidateBlocks(header, architecture);
        LlamaCppAssertions.Validate(header, architecture, blockCount);
        ValidateVocabulary(header);
        if (architecture == "llama")
        {
            LlamaRequirements.Validate(header);
        }
    }

    /// <summary>Each tensor aligned, inside the data section and the file, and no two overlapping.</summary>
    private static void ValidateTensorLayout(GgufHeader header)
    {
        var dataBytes = (ulong)Math.Max(0, header.FileLength - header.DataOffset);
        GgufTensorInfo? previous = null;
        foreach (var tensor in header.Tensors.OrderBy(t => t.Offset))
        {
            if (tensor.Offset % header.Alignment != 0)
            {
                throw new GgufValidationException(GgufError.TensorOffsetMisaligned, $"Tensor '{tensor.Name}' starts at data offset {tensor.Offset}, not a multiple of the alignment {header.Alignment}.");
            }

            if (tensor.Offset >= dataBytes)
            {
                throw new GgufValidationException(GgufError.TensorOffsetBeyondFile, $"Tensor '{tensor.Name}' starts at data offset {tensor.Offset}, past the end of the file (the data section holds {dataBytes} bytes).");
            }

            if (tensor.ByteSize > dataBytes - tensor.Offset)
            {
                throw new GgufValidationException(GgufError.TensorDataBeyondFile, $"Tensor '{tensor.Name}' needs {tensor.ByteSize} bytes from data offset {tensor.Offset}, past the end of the file (the data section holds {dataBytes} bytes).");
            }

            if (previous is not null && previous.Offset + previous.ByteSize > tensor.Offset)
            {
                throw new GgufValidationException(GgufError.TensorsOverlap, $"Tensors '{previous.Name}' and '{tensor.Name}' overlap in the data section.");
            }

            previous = tensor;
        }
    }

    /// <summary><c>&lt;arch&gt;.block_count</c> within bounds and matching the blk.N tensors present.</summary>
    private static long? ValidateBlocks(GgufHeader header, string architecture)
    {
        var key = $"{architecture}.block_count";
        var blocksInTensors = BlockIndices(header);
        var value = header.Get(key);
        if (value is null)
        {
            if (blocksInTensors.Count > 0)
            {
                throw new GgufValidationException(GgufError.MissingKey, $"Tensors name blocks (blk.N) but '{key}' is missing.");
            }

            return null;
        }

        var count = RequireInteger(key, value);
        if (count < 1 || (ulong)count > GgufLimits.MaxBlockCount)
        {
            throw new GgufValidationException(GgufError.BlockCountOutOfRange, $"'{key}' is {count}; it must be from 1 to {GgufLimits.MaxBlockCount}.");
        }

        var outside = blocksInTensors.Where(b => b >= count).ToList();
        if (outside.Count > 0)
        {
            throw new GgufValidationException(GgufError.BlockCountMismatch, $"'{key}' is {count} but tensors exist for block {outside.Max()}.");
        }

        if (header.Tensors.Count > 0)
        {
            var missing = Enumerable.Range(0, (int)count).FirstOrDefault(b => !blocksInTensors.Contains(b), -1);
            if (missing >= 0)
            {
                throw new GgufValidationException(GgufError.BlockCountMismatch, $"'{key}' is {count} but no tensors exist for block {missing}.");
            }
        }

        return count;
    }

    private static HashSet<long> BlockIndices(GgufHeader header)
    {
        var blocks = new HashSet<long>();
        foreach (var tensor in header.Tensors)
        {
            if (!tensor.Name.StartsWith("blk.", StringComparison.Ordinal))
            {
                continue;
            }

            var end = tensor.Name.IndexOf('.', 4);
            var digits = end < 0 ? tensor.Name[4..] : tensor.Name[4..end];
            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                blocks.Add(index);
            }
        }

        return blocks;
    }

    /// <summary>Tokens present and non-empty, parallel arrays the same length, special ids inside the vocabulary.</summary>
    private static void ValidateVocabulary(GgufHeader header)
    {
        var tokensValue = header.Get(TokensKey);
        if (tokensValue is null)
        {
            return;
        }

        var tokens = RequireArray(TokensKey, tokensValue, GgufValueType.String);
        if (tokens.Count == 0)
        {
            throw new GgufValidationException(GgufError.VocabularyEmpty, $"'{TokensKey}' holds no tokens.");
        }

        EnsureUniqueTokens((string[])tokens.Items);

        foreach (var parallelKey in new[] { ScoresKey, TokenTypesKey })
        {
            var parallel = header.Get(parallelKey);
            if (parallel is null)
            {
                continue;
            }

            var array = parallel.AsArray()
                ?? throw new GgufValidationException(GgufError.WrongKeyType, $"'{parallelKey}' is of type {parallel.Type}; it must be an array.");
            if (array.Count != tokens.Count)
            {
                throw new GgufValidationException(GgufError.VocabularyLengthMismatch, $"'{parallelKey}' has {array.Count} entries but the vocabulary has {tokens.Count} tokens.");
            }
        }

        foreach (var (key, value) in header.MetadataEntries)
        {
            if (!key.StartsWith("tokenizer.ggml.", StringComparison.Ordinal) || !key.EndsWith("_token_id", StringComparison.Ordinal))
            {
                continue;
            }

            var id = RequireInteger(key, value);

            // -1 (LLAMA_TOKEN_NULL) means "no such token".
            if (id != -1 && (id < 0 || id >= tokens.Count))
            {
                throw new GgufValidationException(GgufError.TokenIdOutOfRange, $"'{key}' is {id}, outside the vocabulary of {tokens.Count} tokens.");
            }
        }
    }

    /// <summary>
    /// llama.cpp maps text to id and asserts both maps have the same size, so a repeated token aborts
    /// the process. It renames empty tokens to "[EMPTY_i]" first; so does this check.
    /// </summary>
    private static void EnsureUniqueTokens(string[] tokens)
    {
        var seen = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            var text = tokens[i].Length == 0 ? $"[EMPTY_{i}]" : tokens[i];
            if (!seen.TryAdd(text, i))
            {
                throw new GgufValidationException(GgufError.DuplicateToken, $"Tokens {seen[text]} and {i} of '{TokensKey}' are both \"{Shorten(text)}\"; token texts must be unique.");
            }
        }
    }

    /// <summary>Untrusted text quoted in a message: at most 40 characters.</summary>
    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    internal static string RequireString(GgufHeader header, string key)
    {
        var value = header.Get(key) ?? throw new GgufValidationException(GgufError.MissingKey, $"Required metadata '{key}' is missing.");
        var text = value.AsString() ?? throw new GgufValidationException(GgufError.WrongKeyType, $"'{key}' is of type {value.Type}; it must be a string.");
        return text.Length > 0
            ? text
            : throw new GgufValidationException(GgufError.WrongKeyType, $"'{key}' is an empty string.");
    }

    internal static long RequireInteger(string key, GgufValue value) =>
        value.AsInt64() ?? throw new GgufValidationException(GgufError.WrongKeyType, $"'{key}' is of type {value.Type}; it must be an integer.");

    internal static GgufArray RequireArray(string key, GgufValue value, GgufValueType elementType)
    {
        var array = value.AsArray();
        return array is not null && array.ElementType == elementType
            ? array
            : throw new GgufValidationException(GgufError.WrongKeyType, $"'{key}' is of type {Describe(value)}; it must be an array of {elementType}.");
    }

    internal static string Describe(GgufValue value) =>
        value.AsArray() is { } array ? $"array of {array.ElementType}" : value.Type.ToString();
}
