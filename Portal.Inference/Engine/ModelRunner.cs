using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Portal.Inference.Native;

namespace Portal.Inference.Engine;

/// <summary>
/// A loaded model with one llama.cpp context of <see cref="Slots"/> sequences. Each
/// <see cref="Step"/> submits ONE <c>llama_decode</c> holding the next token of every conversation
/// that is generating plus chunks of prompts still being read, then samples each sequence with its
/// own sampler. Requests beyond the slots wait in a queue. Used by the scheduler thread only,
/// except <see cref="OnConversationCancelled"/>.
/// </summary>
internal sealed unsafe partial class ModelRunner : IDisposable
{
    private readonly SafeLlamaContextHandle context;
    private readonly SafeLlamaBatchHandle batch;
    private readonly Conversation?[] slots;
    private readonly Queue<Conversation> waiting = new();
    private readonly List<Conversation> inBatch = [];
    private readonly AbortSignal abort = new();
    private readonly GCHandle abortHandle;
    private readonly ILogger logger;
    private readonly Func<bool> isAbortRequested;
    private volatile Conversation[] decoding = [];

    public ModelRunner(LoadedModelInfo info, SafeLlamaModelHandle model, SafeLlamaContextHandle context, int batchSize, ILogger logger)
    {
        Info = info;
        Model = model;
        this.context = context;
        this.logger = logger;
        Vocab = model.Vocab;
        VocabularySize = LlamaNative.llama_vocab_n_tokens(Vocab);
        ContextSize = (int)LlamaNative.llama_n_ctx_seq(context.DangerousGetHandle());
        slots = new Conversation?[LlamaNative.llama_n_seq_max(context.DangerousGetHandle())];
        batch = SafeLlamaBatchHandle.Create(batchSize);
        abortHandle = GCHandle.Alloc(abort);
        isAbortRequested = () => abort.Requested;
        LlamaNative.llama_set_abort_callback(context.DangerousGetHandle(), &OnAbort, (void*)GCHandle.ToIntPtr(abortHandle));
    }

    public LoadedModelInfo Info { get; }

    public SafeLlamaModelHandle Model { get; }

    public nint Vocab { get; }

    public int VocabularySize { get; }

    /// <summary>Tokens one conversation may hold.</summary>
    public int ContextSize { get; }

    public int Slots => slots.Length;

    /// <summary>Set when the model is being unloaded: new requests are refused.</summary>
    public bool IsDetached { get; set; }

    public int ActiveCount => slots.Count(s => s is not null);

    public int WaitingCount => waiting.Count;

    public void Enqueue(Conversation conversation) => waiting.Enqueue(conversation);

    /// <summary>Called on any thread: aborts the running decode when everything in it was cancelled.</summary>
    public void OnConversationCancelled()
    {
        var current = decoding;
        if (current.Length > 0 && current.All(c => c.IsCancelRequested))
        {
            abort.Requested = true;
        }
    }

    /// <summary>Aborts the running decode, whatever it holds (shutdown, unload).</summary>
    public void AbortAll() => abort.Requested = true;

    /// <summary>Runs one decode step; false when there was nothing to do.</summary>
    public bool Step()
    {
        RetireCancelled();
        Admit();
        if (!FillBatch())
        {
            return false;
        }

        Decode();
        return true;
    }

    /// <summary>Ends every conversation, running or queued, as cancelled.</summary>
    public void CancelAll(string reason)
    {
        for (var sequence = 0; sequence < slots.Length; sequence++)
        {
            if (slots[sequence] is { } conversation)
            {
                Release(conversation, FinishReason.Cancelled, reason);
            }
        }

        while (waiting.TryDequeue(out var queued))
        {
            queued.Complete(FinishReason.Cancelled, reason);
        }
    }

    public void Dispose()
    {
        CancelAll($"The model '{Info.ModelId}' was unloaded.");
        batch.Dispose();
        context.Dispose();
        Model.Dispose();
        abortHandle.Free();
    }

    private void RetireCancelled()
    {
        foreach (var conversation in slots)
        {
            if (conversation is { IsCancelRequested: true })
            {
                Release(conversation, FinishReason.Cancelled);
            }
        }
    }

    private void Admit()
    {
        for (var sequence = 0; sequence < slots.Length && waiting.Count > 0; sequence++)
        {
            if (slots[sequence] is not null)
            {
                continue;
            }

            while (waiting.TryDequeue(out var next))
            {
                if (next.IsCancelRequested)
                {
                    next.Complete(FinishReason.Cancelled);
                    continue;
                }

                next.Sequence = sequence;
                next.Position = 0;
                slots[sequence] = next;
                break;
            }
        }
    }

    private bool FillBatch()
    {
        batch.Clear();
        inBatch.Clear();
        foreach (var conversation in slots)
        {
            if (conversation is { IsPrefilling: false })
            {
                conversation.BatchIndex = batch.Add(conversation.LastToken, conversation.Position, conversation.Sequence, wantLogits: true);
                conversation.TokensInBatch = 1;
                inBatch.Add(conversation);
            }
        }

        // Prompts take the room left, so generating conversations never wait behind a long prompt.
        foreach (var conversation in slots)
        {
            var room = batch.Capacity - batch.Batch.n_tokens;
            if (conversation is not { IsPrefilling: true } || room == 0)
            {
                continue;
            }

            var chunk = conversation.TakePromptChunk(room);
            var index = -1;
            for (var i = 0; i < chunk.Length; i++)
            {
                var last = i == chunk.Length - 1 && !conversation.IsPrefilling;
                index = batch.Add(chunk[i], conversation.Position + i, conversation.Sequence, wantLogits: last);
            }

            conversation.BatchIndex = conversation.IsPrefilling ? -1 : index;
            conversation.TokensInBatch = chunk.Length;
            inBatch.Add(conversation);
        }

        return inBatch.Count > 0;
    }

    private void Decode()
    {
        abort.Requested = false;
        decoding = [.. inBatch];
        bool completed;
        using var expectedAbort = NativeLog.ExpectAbortWhen(isAbortRequested);
        try
        {
            completed = NativeStatus.CheckDecode(LlamaNative.llama_decode(context.DangerousGetHandle(), batch.Batch));
        }
        catch (LlamaException ex)
        {
            LogDecodeFailed(logger, Info.ModelId, inBatch.Count, ex);
            foreach (var conversation in inBatch)
            {
                Release(conversation, FinishReason.Error, ex.Message);
            }

            return;
        }
        finally
        {
            decoding = [];
        }

        if (!completed)
        {
            // Aborted: everything in the batch was cancelled (or the engine stops); freed next step.
            foreach (var conversation in inBatch)
            {
                conversation.Cancel();
            }

            return;
        }

        foreach (var conversation in inBatch)
        {
            conversation.Position += conversation.TokensInBatch;
            if (conversation.BatchIndex < 0)
            {
                continue;
            }

            var token = LlamaNative.llama_sampler_sample(conversation.Sampler.DangerousGetHandle(), context.DangerousGetHandle(), conversation.BatchIndex);
            if (conversation.Accept(token, Vocab, ContextSize) is { } reason)
            {
                Release(conversation, reason);
            }
        }
    }

    /// <summary>Frees the conversation's KV cells and slot, then completes it.</summary>
    private void Release(Conversation conversation, FinishReason reason, string? error = null)
    {
        if (conversation.Sequence >= 0)
        {
            LlamaNative.llama_memory_seq_rm(context.Memory, conversation.Sequence, -1, -1);
            slots[conversation.Sequence] = null;
            conversation.Sequence = -1;
        }

        conversation.Complete(reason, error);
    }

    [UnmanagedCallersOnly]
    private static byte OnAbort(void* data) =>
        ((AbortSignal)GCHandle.FromIntPtr((nint)data).Target!).Requested ? (byte)1 : (byte)0;

    [LoggerMessage(Level = LogLevel.Error, Message = "Decoding a batch of {Count} conversations of model {ModelId} failed")]
    private static partial void LogDecodeFailed(ILogger logger, string modelId, int count, Exception exception);

    private sealed class AbortSignal
    {
        private volatile bool requested;

        public bool Requested
        {
            get => requested;
            set => requested = value;
        }
    }
}
