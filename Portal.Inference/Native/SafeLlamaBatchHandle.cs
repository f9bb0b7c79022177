using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Portal.Inference.Native;

/// <summary>
/// Owns a <c>llama_batch</c> from <c>llama_batch_init</c>: the struct lives in native memory so its
/// arrays can be filled in place; <see cref="Batch"/> is the value handed to <c>llama_decode</c>.
/// </summary>
internal sealed unsafe class SafeLlamaBatchHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private SafeLlamaBatchHandle(int capacity)
        : base(ownsHandle: true)
    {
        Capacity = capacity;
        var batch = (LlamaBatch*)NativeMemory.AllocZeroed((nuint)sizeof(LlamaBatch));
        *batch = LlamaNative.llama_batch_init(capacity, 0, 1);
        SetHandle((nint)batch);
    }

    /// <summary>Allocates room for <paramref name="capacity"/> tokens, each in one sequence.</summary>
    public static SafeLlamaBatchHandle Create(int capacity) =>
        capacity > 0 ? new SafeLlamaBatchHandle(capacity) : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Capacity { get; }

    public ref LlamaBatch Batch => ref *(LlamaBatch*)handle;

    /// <summary>Empties the batch for the next step.</summary>
    public void Clear() => Batch.n_tokens = 0;

    /// <summary>Appends one token of sequence <paramref name="sequence"/> at <paramref name="position"/>.</summary>
    public int Add(int token, int position, int sequence, bool wantLogits)
    {
        ref var batch = ref Batch;
        var i = batch.n_tokens;
        if (i >= Capacity)
        {
            throw new InvalidOperationException($"The batch holds at most {Capacity} tokens.");
        }

        batch.token[i] = token;
        batch.pos[i] = position;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = sequence;
        batch.logits[i] = wantLogits ? (sbyte)1 : (sbyte)0;
        batch.n_tokens = i + 1;
        return i;
    }

    protected override bool ReleaseHandle()
    {
        var batch = (LlamaBatch*)handle;
        LlamaNative.llama_batch_free(*batch);
        NativeMemory.Free(batch);
        return true;
    }
}
