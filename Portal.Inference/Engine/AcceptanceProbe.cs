namespace Portal.Inference.Engine;

/// <summary>
/// Run on a freshly loaded model before anyone may use it: tokenizes a probe text of every kind of
/// character (ASCII, accents, CJK, emoji, control and replacement characters), applies the chat template
/// and decodes a few tokens. The tokenizer, template and first-decode stages of llama.cpp that crash on
/// a malformed file crash here, where only the worker loading the model dies and the admin sees why.
/// </summary>
public static class AcceptanceProbe
{
    public const string ProbeText = "Probe: ASCII, àçcénts ß, 漢字かな한, emoji 😀👍🏽, bytes \u0001\u001f\u007f\uFFFD.";

    /// <summary>Tokens the probe decodes.</summary>
    public const int DecodedTokens = 3;

    /// <summary>Throws <see cref="InferenceException"/> with the stage that failed; <paramref name="stages"/> hears each stage begin.</summary>
    public static async Task RunAsync(IInferenceEngine engine, string modelId, ILoadStageObserver? stages = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ChatMessage[] chat = [new("system", "You are a probe."), new("user", ProbeText)];
        stages?.Begin(LoadStage.Tokenizing);
        await engine.CountPromptTokensAsync(modelId, [new("user", ProbeText)], cancellationToken).ConfigureAwait(false);
        stages?.Begin(LoadStage.Decoding);
        var generation = engine.GenerateAsync(
            new GenerationRequest { ModelId = modelId, Messages = chat, MaxTokens = DecodedTokens, Sampling = SamplingSettings.Greedy },
            cancellationToken);
        try
        {
            await foreach (var _ in generation.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
            }
        }
        catch (InferenceException)
        {
            // Completion carries the reason.
        }

        var result = await generation.Completion.ConfigureAwait(false);
        if (result.FinishReason is FinishReason.Error or FinishReason.Cancelled)
        {
            throw new InferenceException($"The model failed its acceptance probe (decoding a few tokens): {result.Error ?? result.FinishReason.ToString()}");
        }
    }
}
