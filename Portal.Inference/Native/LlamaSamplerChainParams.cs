using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>Mirror of <c>struct llama_sampler_chain_params</c> (llama.h, v0.5.0). Checked by the ABI test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParams
{
    public bool no_perf;
}
