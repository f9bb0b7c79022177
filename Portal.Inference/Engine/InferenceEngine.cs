using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Inference.Gguf;
using Portal.Inference.Native;

namespace Portal.Inference.Engine;

/// <summary>
/// <see cref="IInferenceEngine"/> over llama.cpp: loads models into <see cref="ModelRunner"/>s and
/// hands generations to the <see cref="InferenceScheduler"/>, which batches them.
/// </summary>
internal sealed partial class InferenceEngine(
    IOptions<InferenceOptions> options,
    InferenceScheduler scheduler,
    TimeProvider timeProvider,
    ILoggerFactory loggerFactory) : IInferenceEngine
{
    private readonly ConcurrentDictionary<string, ModelRunner> models = new(StringComparer.Ordinal);
    private readonly ILogger logger = loggerFactory.CreateLogger<InferenceEngine>();
    private IReadOnlyList<ComputeDevice> devices = [];

    public IReadOnlyList<ComputeDevice> Devices => devices;

    /// <summary>The runner of a loaded model (benchmark and tests).</summary>
    internal ModelRunner Runner(string modelId) => models[modelId];

    public IReadOnlyCollection<LoadedModelInfo> LoadedModels => [.. models.Values.Select(r => r.Info)];

    public async Task<LoadedModelInfo> LoadAsync(ModelLoadRequest request, IProgress<float>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (models.ContainsKey(request.ModelId))
        {
            throw new InferenceException($"A model named '{request.ModelId}' is already loaded.");
        }

        if (!File.Exists(request.Path))
        {
            throw new InferenceException($"The model file '{request.Path}' does not exist.");
        }

        var settings = options.Value;
        var runner = await Task.Run(
            () =>
            {
                RefuseInvalidFile(request);
                devices = LlamaBackend.Initialize(settings.ResolveNativeLibraryPath(), loggerFactory);
                return ModelLoader.Load(request, settings, progress, logger, cancellationToken);
            },
            cancellationToken).ConfigureAwait(false);
        if (!models.TryAdd(request.ModelId, runner))
        {
            runner.Dispose();
            throw new InferenceException($"A model named '{request.ModelId}' is already loaded.");
        }

        if (!scheduler.Attach(runner))
        {
            models.TryRemove(request.ModelId, out _);
            runner.Dispose();
            throw new InferenceException("The inference engine stopped.");
        }

        return runner.Info;
    }

    public Task UnloadAsync(string modelId, CancellationToken cancellationToken = default) =>
        models.TryRemove(modelId, out var runner)
            ? scheduler.DetachAsync(runner).WaitAsync(cancellationToken)
            : throw new InferenceException($"No model named '{modelId}' is loaded.");

    public Generation GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var runner = Find(request.ModelId);
        int[] tokens;
        using (Lease(runner))
        {
            var prompt = request.Messages.Count > 0 ? FormatChat(runner, request.Messages) : request.Prompt!;
            tokens = LlamaText.Tokenize(runner.Vocab, prompt, addSpecial: true, parseSpecial: true);
        }

        if (tokens.Length == 0)
        {
            throw new InferenceException("The prompt is empty after tokenizing.");
        }

        if (tokens.Length >= runner.ContextSize)
        {
            throw new InferenceException(
                $"The prompt has {tokens.Length} tokens; model '{request.ModelId}' holds {runner.ContextSize} per conversation, leaving no room for an answer.");
        }

        var conversation = new Conversation(request, tokens, SamplerChainFactory.Create(request.Sampling, runner.VocabularySize), timeProvider);
        foreach (var token in tokens)
        {
            // Repeat penalties look back into the prompt too.
            LlamaNative.llama_sampler_accept(conversation.Sampler.DangerousGetHandle(), token);
        }

        conversation.Cancelled = _ =>
        {
            runner.OnConversationCancelled();
            scheduler.Wake();
        };
        conversation.CallerCancellation = cancellationToken.Register(conversation.Cancel);
        scheduler.Submit(runner, conversation);
        return new Generation(conversation);
    }

    /// <summary>
    /// Some malformed files make llama.cpp abort the whole process rather than fail: the managed
    /// validator reads the header first and refuses those with a reason.
    /// </summary>
    private static void RefuseInvalidFile(ModelLoadRequest request)
    {
        try
        {
            using var stream = File.OpenRead(request.Path);
            GgufInspector.Validate(stream);
        }
        catch (GgufValidationException ex)
        {
            throw new InferenceException($"Model '{request.ModelId}' was refused before loading: {ex.Message}", ex);
        }
    }

    public Task<int> CountPromptTokensAsync(string modelId, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken = default) =>
        Task.FromResult(CountPromptTokens(modelId, messages));

    internal int CountPromptTokens(string modelId, IReadOnlyList<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var runner = Find(modelId);
        if (messages.Count == 0)
        {
            return 0;
        }

        using (Lease(runner))
        {
            return LlamaText.Tokenize(runner.Vocab, FormatChat(runner, messages), addSpecial: true, parseSpecial: true).Length;
        }
    }

    private ModelRunner Find(string modelId) =>
        models.TryGetValue(modelId, out var runner) ? runner : throw new InferenceException($"No model named '{modelId}' is loaded.");

    /// <summary>Keeps the weights alive while this thread reads the vocabulary or template, even if the model is unloaded meanwhile.</summary>
    private static SafeHandleLease Lease(ModelRunner runner) =>
        SafeHandleLease.TryTake(runner.Model, out var lease)
            ? lease
            : throw new InferenceException($"No model named '{runner.Info.ModelId}' is loaded.");

    private static void Validate(GenerationRequest request)
    {
        if (request.Messages.Count == 0 && string.IsNullOrEmpty(request.Prompt))
        {
            throw new InferenceException("A generation request needs chat messages or a prompt.");
        }

        if (request.MaxTokens < 1)
        {
            throw new InferenceException($"MaxTokens must be at least 1, not {request.MaxTokens}.");
        }

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(request.Sampling, new ValidationContext(request.Sampling), errors, validateAllProperties: true))
        {
            throw new InferenceException($"Invalid sampling settings: {string.Join(" ", errors.Select(e => e.ErrorMessage))}");
        }
    }

    private string FormatChat(ModelRunner runner, IReadOnlyList<ChatMessage> messages)
    {
        if (runner.Info.HasChatTemplate && LlamaText.ModelTemplate(runner.Model) is { } own && LlamaText.ApplyTemplate(own, messages) is { } formatted)
        {
            return formatted;
        }

        if (runner.Info.HasChatTemplate)
        {
            LogTemplateUnsupported(logger, runner.Info.ModelId, LlamaText.FallbackTemplate);
        }

        return LlamaText.ApplyTemplate(LlamaText.FallbackTemplate, messages)
            ?? throw new InferenceException("llama.cpp could not apply the fallback chat template.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId} has a chat template llama.cpp cannot apply; using {Fallback}")]
    private static partial void LogTemplateUnsupported(ILogger logger, string modelId, string fallback);

}
