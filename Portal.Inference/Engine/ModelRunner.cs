using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Portal.Inference.Native;

namespace Portal.Inference.Engine;

/// <summary>
/// A loaded model with one llama.cpp context of <see cref="Slots"/> sequences over ONE unified KV
/// cache. Each <see cref="Step"/> submits one <c>llama_decode</c> (one micro-batch) holding the next
/// token of every conversation that is generating plus chunks of prompts still being read, then
/// samples each sequence with its own sampler. The unified cache does not bound a sequence, so this
/// class does: a conversation reserves its budget (prompt plus answer, at most
/// <see cref="ContextSize"/>) at admission and is admitted only while the cache has that many cells
/// unreserved. Requests beyond the slots or cells wait in a queue. Used by the scheduler thread only,
/// except <see cref="OnConversationCancelled"/> and <see cref="AbortAll"/>.
/// </summary>
internal sealed unsafe partial class ModelRunner : IDisposable
{
    private readonly SafeLlamaContextHandle context;
    private readonly SafeLlamaBatchHandle batch;
    private readonly Conversation?[] slots;
    private readonly Queue<Conversation> waiting = new();
    private readonly List<Conversation> inBatch = [];
    private readonly DecodeAbort abort = new();
    private readonly GCHandle abortHandle;
    private readonly ILogger logger;
    private readonly Func<bool> isAbortRequested;
    private volatile RunningDecode? decoding;
    private int reservedCells;
    private bool disposed;

    public ModelRunner(LoadedModelInfo info, SafeLlamaModelHandle model, SafeLlamaContextHandle context, int batchSize, ILogger logger)
    {
        Info = info;
        Model = model;
        this.context = context;
        this.logger = logger;
        Vocab = model.Vocab;
        VocabularySize = LlamaNative.llama_vocab_n_tokens(Vocab);
        ContextSize = info.ContextSize;
        TotalCells = (int)LlamaNative.llama_n_ctx(context.DangerousGetHandle());
        slots = new Conversation?[LlamaNative.llama_n_seq_max(context.DangerousGetHandle())];
        batch = SafeLlamaBatchHandle.Create(batchSize);
        abortHandle = GCHandle.Alloc(abort);
        isAbortRequested = () => abort.ShouldAbort;
        LlamaNative.llama_set_abort_callback(context.DangerousGetHandle(), &OnAbort, (void*)GCHandle.ToIntPtr(abortHandle));
    }

    public LoadedModelInfo Info { get; }

    /// <summary>The weights; take a <see cref="SafeHandleLease"/> before touching them off the scheduler thread.</summary>
    public SafeLlamaModelHandle Model { get; }

    public nint Vocab { get; }

    public int VocabularySize { get; }

    /// <summary>Tokens one conversation may hold.</summary>
    public int ContextSize { get; }

    /// <summary>Cells of the unified KV cache, shared by all sequences.</summary>
    public int TotalCells { get; }

    /// <summary>Cells admission may promise: <see cref="TotalCells"/>, unless a test's fault makes it promise more.</summary>
    public int? AdmissionCells { get; init; }

    /// <summary>A test's fault: how long each decode step at least takes (<see cref="InferenceOptions.FaultStepDelay"/>).</summary>
    public TimeSpan FaultStepDelay { get; init; }

    public int Slots => slots.Length;

    /// <summary>Set when the model is being unloaded: new requests are refused.</summary>
    public bool IsDetached { get; set; }

    public int ActiveCount => slots.Count(s => s is not null);

    public int WaitingCount => waiting.Count;

    /// <summary>KV cells promised to the conversations in the slots.</summary>
    public int ReservedCells => reservedCells;

    public void Enqueue(Conversation conversation) => waiting.Enqueue(conversation);

    /// <summary>Called on any thread: aborts the running decode when everything in it was cancelled.</summary>
    public void OnConversationCancelled()
    {
        if (decoding is { } current && current.Conversations.All(c => c.IsCancelRequested))
        {
            abort.Abort(current.Id);
        }
    }

    /// <summary>Aborts the running decode and every later one (shutdown, unload).</summary>
    public void AbortAll() => abort.AbortEverything();

    /// <summary>Runs one decode step; false when there was nothing to do.</summary>
    public bool Step()
    {
        inBatch.Clear();
        RetireCancelled();
        Admit();
        if (!FillBatch())
        {
            return false;
        }

        Decode();
        if (FaultStepDelay > TimeSpan.Zero)
        {
            Thread.Sleep(FaultStepDelay); // the scheduler's own thread: only this engine's steps slow down
        }

        return true;
    }

    /// <summary>Ends the conversations of the current step with an error (the step threw).</summary>
    public void FailBatch(string error)
    {
        foreach (var conversation in inBatch)
        {
            Release(conversation, FinishReason.Error, error);
        }

        inBatch.Clear();
    }

    /// <summary>Ends every conversation, running or queued, as cancelled.</summary>
    public void CancelAll(string reason)
    {
        foreach (var conversation in slots)
        {
            if (conversation is not null)
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
        if (disposed)
        {
            return;
        }

        disposed = true;
        CancelAll($"The model '{Info.ModelId}' was unloaded.");
        batch.Dispose();
        context.Dispose();
        // Freed once no tokenizing request holds a lease any more.
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

    /// <summary>First come, first served: the head of the queue waits for a slot and for its cells.</summary>
    private void Admit()
    {
        while (waiting.TryPeek(out var next))
        {
            if (next.IsCancelRequested)
            {
                waiting.Dequeue();
                next.Complete(FinishReason.Cancelled);
                continue;
            }

            var sequence = Array.IndexOf(slots, null);
            var budget = Math.Min(ContextSize, next.PromptTokens.Length + next.Request.MaxTokens);
            if (sequence < 0 || reservedCells + budget > (AdmissionCells ?? TotalCells))
            {
                return;
            }

            waiting.Dequeue();
            next.Sequence = sequence;
            next.Position = 0;
            next.ReservedCells = budget;
            reservedCells += budget;
            slots[sequence] = next;
        }
    }

    private bool FillBatch()
    {
        foreach (var conversation in slots)
        {
            if (conversation is { IsPrefilling: false })
            {
                conversation.PlanNextToken();
                inBatch.Add(conversation);
            }
        }

        // Prompts take the room left, so generating conversations never wait behind a long prompt.
        var room = batch.Capacity - inBatch.Count;
        foreach (var conversation in slots)
        {
            if (room > 0 && conversation is { IsPrefilling: true })
            {
                room -= conversation.PlanPromptChunk(room);
                inBatch.Add(conversation);
            }
        }

        WriteBatch();
        return inBatch.Count > 0;
    }

    private void WriteBatch()
    {
        batch.Clear();
        foreach (var conversation in inBatch)
        {
            if (!conversation.PlannedPrompt)
            {
                conversation.BatchIndex = batch.Add(conversation.LastToken, conversation.Position, conversation.Sequence, wantLogits: true);
                continue;
            }

            var chunk = conversation.PlannedChunk;
            var index = -1;
            for (var i = 0; i < chunk.Length; i++)
            {
                var last = i == chunk.Length - 1 && !conversation.IsPrefilling;
                index = batch.Add(chunk[i], conversation.Position + i, conversation.Sequence, wantLogits: last);
            }

            conversation.BatchIndex = conversation.IsPrefilling ? -1 : index;
        }
    }

    private void Decode()
    {
        int status;
        while ((status = DecodeOnce()) == 1)
        {
            // No room in the KV cache (fragmented cells): retry with half the tokens, those left out
            // keep their place for the next step. A single token that does not fit fails alone.
            if (batch.Batch.n_tokens == 1)
            {
                Release(inBatch[0], FinishReason.Error, "The model's KV cache is full; no room for the next token.");
                return;
            }

            Shrink(batch.Batch.n_tokens / 2);
        }

        if (status == 2)
        {
            // Aborted: everything in the batch was cancelled (or the model stops); freed next step.
            foreach (var conversation in inBatch)
            {
                conversation.Cancel();
            }

            return;
        }

        if (status != 0)
        {
            var error = NativeStatus.DescribeDecode(status);
            LogDecodeFailed(logger, Info.ModelId, inBatch.Count, status);
            foreach (var conversation in inBatch)
            {
                Release(conversation, FinishReason.Error, error);
            }

            return;
        }

        foreach (var conversation in inBatch)
        {
            conversation.Position += conversation.TokensInBatch;
            if (conversation.BatchIndex >= 0)
            {
                Sample(conversation);
            }
        }
    }

    private int DecodeOnce()
    {
        var id = abort.Begin();
        decoding = new RunningDecode(id, [.. inBatch]);
        using var expectedAbort = NativeLog.ExpectAbortWhen(isAbortRequested);
        try
        {
            return LlamaNative.llama_decode(context.DangerousGetHandle(), batch.Batch);
        }
        finally
        {
            decoding = null;
            abort.End();
        }
    }

    /// <summary>Keeps the first <paramref name="tokens"/> planned tokens; the rest go back for a later step.</summary>
    private void Shrink(int tokens)
    {
        var kept = 0;
        for (var i = 0; i < inBatch.Count; i++)
        {
            var conversation = inBatch[i];
            var keep = Math.Min(conversation.TokensInBatch, tokens - kept);
            if (keep == conversation.TokensInBatch)
            {
                kept += keep;
                continue;
            }

            if (keep > 0 && conversation.PlannedPrompt)
            {
                conversation.ReturnPromptTokens(conversation.TokensInBatch - keep);
                kept += keep;
                continue;
            }

            if (conversation.PlannedPrompt)
            {
                conversation.ReturnPromptTokens(conversation.TokensInBatch);
            }

            inBatch.RemoveAt(i--);
        }

        WriteBatch();
    }

    /// <summary>Samples one conversation; a failure here ends that conversation only.</summary>
    private void Sample(Conversation conversation)
    {
        try
        {
            var token = LlamaNative.llama_sampler_sample(conversation.Sampler.DangerousGetHandle(), context.DangerousGetHandle(), conversation.BatchIndex);
            if (conversation.Accept(token, Vocab, ContextSize) is { } reason)
            {
                Release(conversation, reason);
            }
        }
        catch (Exception ex) when (ex is InferenceException or LlamaException)
        {
            LogSampleFailed(logger, Info.ModelId, ex);
            Release(conversation, FinishReason.Error, ex.Message);
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
            reservedCells -= conversation.ReservedCells;
            conversation.ReservedCells = 0;
        }

        conversation.Complete(reason, error);
    }

    [UnmanagedCallersOnly]
    private static byte OnAbort(void* data) =>
        ((DecodeAbort)GCHandle.FromIntPtr((nint)data).Target!).ShouldAbort ? (byte)1 : (byte)0;

    [LoggerMessage(Level = LogLevel.Error, Message = "Decoding a batch of {Count} conversations of model {ModelId} failed with status {Status}")]
    private static partial void LogDecodeFailed(ILogger logger, string modelId, int count, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sampling a conversation of model {ModelId} failed; that conversation ends")]
    private static partial void LogSampleFailed(ILogger logger, string modelId, Exception exception);

    private sealed record RunningDecode(long Id, Conversation[] Conversations);
}
