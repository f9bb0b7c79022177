using Portal.Inference.Native;

namespace Portal.Tests.Inference.Native;

/// <summary>Sizes and field offsets of the managed mirrors, named like abi_probe.c prints them.</summary>
internal static unsafe class ManagedLayout
{
    public static Dictionary<string, long> Read()
    {
        var layout = new Dictionary<string, long>(StringComparer.Ordinal);
        var model = default(LlamaModelParams);
        layout["llama_model_params"] = sizeof(LlamaModelParams);
        layout["llama_model_params.devices"] = (byte*)&model.devices - (byte*)&model;
        layout["llama_model_params.tensor_buft_overrides"] = (byte*)&model.tensor_buft_overrides - (byte*)&model;
        layout["llama_model_params.n_gpu_layers"] = (byte*)&model.n_gpu_layers - (byte*)&model;
        layout["llama_model_params.split_mode"] = (byte*)&model.split_mode - (byte*)&model;
        layout["llama_model_params.load_mode"] = (byte*)&model.load_mode - (byte*)&model;
        layout["llama_model_params.lazy_mode"] = (byte*)&model.lazy_mode - (byte*)&model;
        layout["llama_model_params.main_gpu"] = (byte*)&model.main_gpu - (byte*)&model;
        layout["llama_model_params.tensor_split"] = (byte*)&model.tensor_split - (byte*)&model;
        layout["llama_model_params.progress_callback"] = (byte*)&model.progress_callback - (byte*)&model;
        layout["llama_model_params.progress_callback_user_data"] = (byte*)&model.progress_callback_user_data - (byte*)&model;
        layout["llama_model_params.kv_overrides"] = (byte*)&model.kv_overrides - (byte*)&model;
        layout["llama_model_params.vocab_only"] = (byte*)&model.vocab_only - (byte*)&model;
        layout["llama_model_params.check_tensors"] = (byte*)&model.check_tensors - (byte*)&model;
        layout["llama_model_params.use_extra_bufts"] = (byte*)&model.use_extra_bufts - (byte*)&model;
        layout["llama_model_params.no_host"] = (byte*)&model.no_host - (byte*)&model;
        layout["llama_model_params.no_alloc"] = (byte*)&model.no_alloc - (byte*)&model;
        layout["llama_model_params.load_mtp"] = (byte*)&model.load_mtp - (byte*)&model;

        var context = default(LlamaContextParams);
        layout["llama_context_params"] = sizeof(LlamaContextParams);
        layout["llama_context_params.n_ctx"] = (byte*)&context.n_ctx - (byte*)&context;
        layout["llama_context_params.n_batch"] = (byte*)&context.n_batch - (byte*)&context;
        layout["llama_context_params.n_ubatch"] = (byte*)&context.n_ubatch - (byte*)&context;
        layout["llama_context_params.n_seq_max"] = (byte*)&context.n_seq_max - (byte*)&context;
        layout["llama_context_params.n_rs_seq"] = (byte*)&context.n_rs_seq - (byte*)&context;
        layout["llama_context_params.n_outputs_max"] = (byte*)&context.n_outputs_max - (byte*)&context;
        layout["llama_context_params.n_outputs_max_per_seq"] = (byte*)&context.n_outputs_max_per_seq - (byte*)&context;
        layout["llama_context_params.n_threads"] = (byte*)&context.n_threads - (byte*)&context;
        layout["llama_context_params.n_threads_batch"] = (byte*)&context.n_threads_batch - (byte*)&context;
        layout["llama_context_params.ctx_type"] = (byte*)&context.ctx_type - (byte*)&context;
        layout["llama_context_params.rope_scaling_type"] = (byte*)&context.rope_scaling_type - (byte*)&context;
        layout["llama_context_params.pooling_type"] = (byte*)&context.pooling_type - (byte*)&context;
        layout["llama_context_params.attention_type"] = (byte*)&context.attention_type - (byte*)&context;
        layout["llama_context_params.flash_attn_type"] = (byte*)&context.flash_attn_type - (byte*)&context;
        layout["llama_context_params.rope_freq_base"] = (byte*)&context.rope_freq_base - (byte*)&context;
        layout["llama_context_params.rope_freq_scale"] = (byte*)&context.rope_freq_scale - (byte*)&context;
        layout["llama_context_params.yarn_ext_factor"] = (byte*)&context.yarn_ext_factor - (byte*)&context;
        layout["llama_context_params.yarn_attn_factor"] = (byte*)&context.yarn_attn_factor - (byte*)&context;
        layout["llama_context_params.yarn_beta_fast"] = (byte*)&context.yarn_beta_fast - (byte*)&context;
        layout["llama_context_params.yarn_beta_slow"] = (byte*)&context.yarn_beta_slow - (byte*)&context;
        layout["llama_context_params.yarn_orig_ctx"] = (byte*)&context.yarn_orig_ctx - (byte*)&context;
        layout["llama_context_params.defrag_thold"] = (byte*)&context.defrag_thold - (byte*)&context;
        layout["llama_context_params.cb_eval"] = (byte*)&context.cb_eval - (byte*)&context;
        layout["llama_context_params.cb_eval_user_data"] = (byte*)&context.cb_eval_user_data - (byte*)&context;
        layout["llama_context_params.type_k"] = (byte*)&context.type_k - (byte*)&context;
        layout["llama_context_params.type_v"] = (byte*)&context.type_v - (byte*)&context;
        layout["llama_context_params.abort_callback"] = (byte*)&context.abort_callback - (byte*)&context;
        layout["llama_context_params.abort_callback_data"] = (byte*)&context.abort_callback_data - (byte*)&context;
        layout["llama_context_params.embeddings"] = (byte*)&context.embeddings - (byte*)&context;
        layout["llama_context_params.offload_kqv"] = (byte*)&context.offload_kqv - (byte*)&context;
        layout["llama_context_params.no_perf"] = (byte*)&context.no_perf - (byte*)&context;
        layout["llama_context_params.op_offload"] = (byte*)&context.op_offload - (byte*)&context;
        layout["llama_context_params.swa_full"] = (byte*)&context.swa_full - (byte*)&context;
        layout["llama_context_params.kv_unified"] = (byte*)&context.kv_unified - (byte*)&context;
        layout["llama_context_params.samplers"] = (byte*)&context.samplers - (byte*)&context;
        layout["llama_context_params.n_samplers"] = (byte*)&context.n_samplers - (byte*)&context;
        layout["llama_context_params.ctx_other"] = (byte*)&context.ctx_other - (byte*)&context;

        var batch = default(LlamaBatch);
        layout["llama_batch"] = sizeof(LlamaBatch);
        layout["llama_batch.n_tokens"] = (byte*)&batch.n_tokens - (byte*)&batch;
        layout["llama_batch.token"] = (byte*)&batch.token - (byte*)&batch;
        layout["llama_batch.embd"] = (byte*)&batch.embd - (byte*)&batch;
        layout["llama_batch.pos"] = (byte*)&batch.pos - (byte*)&batch;
        layout["llama_batch.n_seq_id"] = (byte*)&batch.n_seq_id - (byte*)&batch;
        layout["llama_batch.seq_id"] = (byte*)&batch.seq_id - (byte*)&batch;
        layout["llama_batch.logits"] = (byte*)&batch.logits - (byte*)&batch;

        var chain = default(LlamaSamplerChainParams);
        layout["llama_sampler_chain_params"] = sizeof(LlamaSamplerChainParams);
        layout["llama_sampler_chain_params.no_perf"] = (byte*)&chain.no_perf - (byte*)&chain;

        var message = default(LlamaChatMessage);
        layout["llama_chat_message"] = sizeof(LlamaChatMessage);
        layout["llama_chat_message.role"] = (byte*)&message.role - (byte*)&message;
        layout["llama_chat_message.content"] = (byte*)&message.content - (byte*)&message;
        return layout;
    }
}
