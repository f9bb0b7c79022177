using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>Mirror of <c>struct llama_batch</c> (llama.h, v0.5.0). Checked by the ABI test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatch
{
    public int n_tokens;
    public int* token;
    public float* embd;
    public int* pos;
    public int* n_seq_id;
    public int** seq_id;
    public sbyte* logits;
}
