using Microsoft.Win32.SafeHandles;

namespace Portal.Inference.Native;

/// <summary>Owns a <c>llama_sampler*</c> chain (the chain frees the samplers added to it).</summary>
internal sealed class SafeLlamaSamplerHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private SafeLlamaSamplerHandle(nint sampler)
        : base(ownsHandle: true) => SetHandle(sampler);

    /// <summary>Creates an empty chain without performance counters.</summary>
    public static SafeLlamaSamplerHandle CreateChain()
    {
        var parameters = LlamaNative.llama_sampler_chain_default_params();
        parameters.no_perf = true;
        using var capture = NativeLog.CaptureErrors();
        return new SafeLlamaSamplerHandle(
            NativeStatus.CheckCreated(LlamaNative.llama_sampler_chain_init(parameters), "create a sampler chain", capture));
    }

    /// <summary>Adds a sampler created by a <c>llama_sampler_init_*</c> function; the chain takes ownership.</summary>
    public void Add(nint sampler)
    {
        if (sampler == 0)
        {
            throw new LlamaException("llama.cpp could not create a sampler with these settings.");
        }

        LlamaNative.llama_sampler_chain_add(handle, sampler);
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
