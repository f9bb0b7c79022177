using Portal.Inference.Native;

namespace Portal.Tests.Inference.Native;

/// <summary>
/// The defaults read back through the mirrors equal those in llama.cpp's source of the pinned version
/// (src/llama-model.cpp llama_model_default_params, src/llama-context.cpp llama_context_default_params):
/// a shifted field would read a neighbour's value.
/// </summary>
public sealed class DefaultParamsTests
{
    [Fact]
    public void ModelDefaults_MatchLlamaCppSource()
    {
        NativeTestLibrary.Initialize();

        var p = LlamaNative.llama_model_default_params();

        Assert.Equal(0, p.devices);
        Assert.Equal(-1, p.n_gpu_layers);
        Assert.Equal(1, p.split_mode);   // LLAMA_SPLIT_MODE_LAYER
        Assert.Equal(-1, p.load_mode);   // LLAMA_LOAD_MODE_AUTO
        Assert.Equal(1, p.lazy_mode);    // LLAMA_LAZY_MODE_AUTO
        Assert.Equal(0, p.main_gpu);
        Assert.Equal(0, p.kv_overrides);
        Assert.False(p.vocab_only);
        Assert.False(p.check_tensors);
        Assert.True(p.use_extra_bufts);
        Assert.False(p.no_host);
        Assert.False(p.no_alloc);
        Assert.False(p.load_mtp);
    }

    [Fact]
    public unsafe void ContextDefaults_MatchLlamaCppSource()
    {
        NativeTestLibrary.Initialize();

        var p = LlamaNative.llama_context_default_params();

        Assert.Equal(512u, p.n_ctx);
        Assert.Equal(2048u, p.n_batch);
        Assert.Equal(512u, p.n_ubatch);
        Assert.Equal(1u, p.n_seq_max);
        Assert.Equal(0u, p.n_rs_seq);
        Assert.Equal(0u, p.n_outputs_max);
        Assert.Equal(1u, p.n_outputs_max_per_seq);
        Assert.Equal(4, p.n_threads);          // GGML_DEFAULT_N_THREADS
        Assert.Equal(4, p.n_threads_batch);
        Assert.Equal(-1, p.rope_scaling_type); // UNSPECIFIED
        Assert.Equal(-1, p.pooling_type);
        Assert.Equal(-1, p.attention_type);
        Assert.Equal(-1, p.flash_attn_type);   // AUTO
        Assert.Equal(0f, p.rope_freq_base);
        Assert.Equal(-1f, p.yarn_ext_factor);
        Assert.Equal(-1f, p.yarn_beta_slow);
        Assert.Equal(0u, p.yarn_orig_ctx);
        Assert.Equal(-1f, p.defrag_thold);
        Assert.Equal(1, p.type_k);             // GGML_TYPE_F16
        Assert.Equal(1, p.type_v);
        Assert.True(p.abort_callback == null);
        Assert.False(p.embeddings);
        Assert.True(p.offload_kqv);
        Assert.True(p.no_perf);
        Assert.True(p.op_offload);
        Assert.True(p.swa_full);
        Assert.False(p.kv_unified);
        Assert.Equal(0, p.samplers);
        Assert.Equal(0u, p.n_samplers);
        Assert.Equal(0, p.ctx_other);
    }

    [Fact]
    public void SamplerChainDefaults_MatchLlamaCppSource()
    {
        NativeTestLibrary.Initialize();

        Assert.True(LlamaNative.llama_sampler_chain_default_params().no_perf);
    }
}
