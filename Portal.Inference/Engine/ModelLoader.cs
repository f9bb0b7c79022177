using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Portal.Inference.Native;

namespace Portal.Inference.Engine;

/// <summary>Loads a GGUF file and creates its context of n slots: the native half of a model load.</summary>
internal static unsafe partial class ModelLoader
{
    public static ModelRunner Load(ModelLoadRequest request, InferenceOptions settings, IProgress<float>? progress, ILogger logger, CancellationToken cancellationToken)
    {
        var slots = request.Slots ?? settings.Slots;
        var contextSize = request.ContextSize ?? settings.ContextSize;
        var gpuLayers = settings.Backend == InferenceBackend.Cuda ? request.GpuLayers ?? settings.GpuLayers : 0;
        if (slots < 1 || contextSize < 32)
        {
            throw new InferenceException($"A model needs at least 1 slot and 32 tokens of context, not {slots} and {contextSize}.");
        }

        if (settings.BatchSize < slots)
        {
            // Every generating conversation puts one token into each step's batch.
            throw new InferenceException($"BatchSize ({settings.BatchSize}) must be at least the number of slots ({slots}).");
        }

        var modelParams = LlamaNative.llama_model_default_params();
        modelParams.n_gpu_layers = gpuLayers;
        var progressState = new LoadProgress(progress, cancellationToken);
        var progressHandle = GCHandle.Alloc(progressState);
        SafeLlamaModelHandle model;
        try
        {
            modelParams.progress_callback = &OnLoadProgress;
            modelParams.progress_callback_user_data = (void*)GCHandle.ToIntPtr(progressHandle);
            model = SafeLlamaModelHandle.LoadFromFile(request.Path, modelParams);
        }
        catch (LlamaException ex)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new InferenceException($"Model '{request.ModelId}' did not load: {ex.Message}", ex);
        }
        finally
        {
            progressHandle.Free();
        }

        var trained = LlamaNative.llama_model_n_ctx_train(model.DangerousGetHandle());
        if (contextSize > trained)
        {
            // llama.cpp's own warning compares the whole unified cache; this one is per conversation.
            LogBeyondTrainingContext(logger, request.ModelId, contextSize, trained);
        }

        (progress as ILoadStageObserver)?.Begin(LoadStage.CreatingContext);
        try
        {
            var contextParams = LlamaNative.llama_context_default_params();
            contextParams.n_ctx = (uint)(settings.FaultKvCells ?? contextSize * slots);
            contextParams.n_seq_max = (uint)slots;
            contextParams.n_batch = (uint)settings.BatchSize;
            contextParams.n_ubatch = (uint)settings.BatchSize;
            contextParams.n_threads = settings.EffectiveThreads;
            contextParams.n_threads_batch = settings.EffectiveThreads;
            // One KV cache for all sequences: llama.cpp then keeps a step in one micro-batch whatever
            // the sequence ids; ModelRunner bounds each conversation to contextSize and admits by cells.
            contextParams.kv_unified = true;
            contextParams.flash_attn_type = LlamaContextParams.FlashAttentionAuto;
            contextParams.op_offload = settings.Backend == InferenceBackend.Cuda;
            var context = SafeLlamaContextHandle.Create(model, contextParams);
            var info = new LoadedModelInfo(
                request.ModelId, request.Path, Describe(model), LlamaNative.llama_model_n_layer(model.DangerousGetHandle()),
                gpuLayers, contextSize, slots, LlamaText.ModelTemplate(model) is not null);
            return new ModelRunner(info, model, context, settings.BatchSize, logger)
            {
                AdmissionCells = settings.FaultKvCells is null ? null : contextSize * slots,
                FaultStepDelay = settings.FaultStepDelay,
            };
        }
        catch (LlamaException ex)
        {
            model.Dispose();
            throw new InferenceException($"Model '{request.ModelId}' loaded but no context could be created: {ex.Message}", ex);
        }
    }

    private static string Describe(SafeLlamaModelHandle model)
    {
        Span<byte> buffer = stackalloc byte[256];
        fixed (byte* pointer = buffer)
        {
            var length = LlamaNative.llama_model_desc(model.DangerousGetHandle(), pointer, (nuint)buffer.Length);
            return length > 0 ? Encoding.UTF8.GetString(buffer[..Math.Min(length, buffer.Length - 1)]) : "unknown";
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {ModelId}: {ContextSize} tokens per conversation is more than the {Trained} it was trained for")]
    private static partial void LogBeyondTrainingContext(ILogger logger, string modelId, int contextSize, int trained);

    [UnmanagedCallersOnly]
    private static byte OnLoadProgress(float progress, void* userData)
    {
        var state = (LoadProgress)GCHandle.FromIntPtr((nint)userData).Target!;
        state.Progress?.Report(progress);
        return state.CancellationToken.IsCancellationRequested ? (byte)0 : (byte)1;
    }

    private sealed record LoadProgress(IProgress<float>? Progress, CancellationToken CancellationToken);
}
