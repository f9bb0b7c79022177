namespace Portal.Inference.Gguf;

/// <summary>
/// Hyper-parameters that llama.cpp's <c>load_hparams</c> checks with GGML_ASSERT for every
/// architecture: a violation aborts the whole process instead of failing the load, so each is
/// refused here first (expert counts, next-token-prediction layers, rope scaling type).
/// </summary>
internal static class LlamaCppAssertions
{
    /// <summary>LLAMA_MAX_EXPERTS in llama-hparams.h.</summary>
    public const long MaxExperts = 1024;

    private static readonly string[] RopeScalingTypes = ["none", "linear", "yarn", "longrope"];

    public static void Validate(GgufHeader header, string architecture, long? blockCount)
    {
        var nextn = Integer(header, $"{architecture}.nextn_predict_layers");
        if (nextn is { } layers && (layers < 0 || layers > (blockCount ?? 0)))
        {
            Fail($"'{architecture}.nextn_predict_layers' is {layers}; it must be from 0 to the block count {blockCount ?? 0}.");
        }

        ValidateExperts(header, architecture);

        var ropeKey = $"{architecture}.rope.scaling.type";
        if (header.Get(ropeKey) is { } rope)
        {
            var type = rope.AsString();
            if (type is null || !RopeScalingTypes.Contains(type))
            {
                Fail($"'{ropeKey}' is '{rope}'; llama.cpp knows only {string.Join(", ", RopeScalingTypes)}.");
            }
        }
    }

    private static void ValidateExperts(GgufHeader header, string architecture)
    {
        var experts = Integer(header, $"{architecture}.expert_count") ?? 0;
        var used = MaxOf(header, $"{architecture}.expert_used_count");
        var groups = Integer(header, $"{architecture}.expert_group_count") ?? 0;
        var groupsUsed = Integer(header, $"{architecture}.expert_group_used_count") ?? 0;
        if (experts < 0 || experts > MaxExperts)
        {
            Fail($"'{architecture}.expert_count' is {experts}; it must be from 0 to {MaxExperts}.");
        }

        if (experts == 0)
        {
            if (used != 0 || groups != 0)
            {
                Fail($"'{architecture}.expert_count' is 0 but expert_used_count is {used} and expert_group_count is {groups}; both must be 0 without experts.");
            }

            return;
        }

        if (used < 1 || used > experts)
        {
            Fail($"'{architecture}.expert_used_count' is {used}; with {experts} experts it must be from 1 to {experts}.");
        }

        if (groups < 0 || groups >= experts)
        {
            Fail($"'{architecture}.expert_group_count' is {groups}; it must be below the expert count {experts}.");
        }

        if (groups > 1 && (experts % groups != 0 || groupsUsed < 1 || groupsUsed >= groups))
        {
            Fail($"'{architecture}.expert_group_count' {groups} must divide the expert count {experts}, and expert_group_used_count ({groupsUsed}) must be from 1 to {groups - 1}.");
        }
    }

    private static long? Integer(GgufHeader header, string key) =>
        header.Get(key) is { } value ? GgufValidator.RequireInteger(key, value) : null;

    /// <summary>An integer, or the largest of a per-layer integer array; 0 when absent.</summary>
    private static long MaxOf(GgufHeader header, string key)
    {
        var value = header.Get(key);
        if (value?.AsArray() is { } array)
        {
            return array.Items.Cast<object>().Select(item => item switch
            {
                int i => i,
                uint u => (long)u,
                _ => throw new GgufValidationException(GgufError.WrongKeyType, $"'{key}' is of type {GgufValidator.Describe(value)}; it must be an integer or an array of 32-bit integers."),
            }).DefaultIfEmpty(0).Max();
        }

        return value is null ? 0 : GgufValidator.RequireInteger(key, value);
    }

    private static void Fail(string message) => throw new GgufValidationException(GgufError.InvalidHyperParameter, message);
}
