using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>Mirror of <c>struct llama_model_params</c> (llama.h, v0.5.0). Checked by the ABI test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaModelParams
{
    public nint devices;
    public nint tensor_buft_overrides;
    public int n_gpu_layers;
    public int split_mode;
    public int load_mode;
    public int lazy_mode;
    public int main_gpu;
    public float* tensor_split;
    public delegate* unmanaged<float, void*, byte> progress_callback;
    public void* progress_callback_user_data;
    public nint kv_overrides;
    public bool vocab_only;
    public bool check_tensors;
    public bool use_extra_bufts;
    public bool no_host;
    public bool no_alloc;
    public bool load_mtp;
}
