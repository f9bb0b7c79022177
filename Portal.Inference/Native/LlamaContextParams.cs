using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>Mirror of <c>struct llama_context_params</c> (llama.h, v0.5.0). Checked by the ABI test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaContextParams
{
    /// <summary><c>LLAMA_FLASH_ATTN_TYPE_AUTO</c>: flash attention where the backend supports it.</summary>
    public const int FlashAttentionAuto = -1;

    public uint n_ctx;
    public uint n_batch;
    public uint n_ubatch;
    public uint n_seq_max;
    public uint n_rs_seq;
    public uint n_outputs_max;
    public uint n_outputs_max_per_seq;
    public int n_threads;
    public int n_threads_batch;
    public int ctx_type;
    public int rope_scaling_type;
    public int pooling_type;
    public int attention_type;
    public int flash_attn_type;
    public float rope_freq_base;
    public float rope_freq_scale;
    public float yarn_ext_factor;
    public float yarn_attn_factor;
    public float yarn_beta_fast;
    public float yarn_beta_slow;
    public uint yarn_orig_ctx;
    public float defrag_thold;
    public nint cb_eval;
    public void* cb_eval_user_data;
    public int type_k;
    public int type_v;
    public delegate* unmanaged<void*, byte> abort_callback;
    public void* abort_callback_data;
    public bool embeddings;
    public bool offload_kqv;
    public bool no_perf;
    public bool op_offload;
    public bool swa_full;
    public bool kv_unified;
    public nint samplers;
    public nuint n_samplers;
    public nint ctx_other;
}
