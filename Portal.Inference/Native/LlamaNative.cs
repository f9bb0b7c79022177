using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>
/// The llama.cpp C API (llama.h of v0.5.0, the version pinned in package.json), C names kept.
/// Handles are passed as raw pointers: callers hold the owning <see cref="SafeHandle"/> alive.
/// </summary>
internal static unsafe partial class LlamaNative
{
    public const string LibraryName = "llama";

    public const uint LLAMA_DEFAULT_SEED = 0xFFFFFFFF;

    [LibraryImport(LibraryName)]
    public static partial void llama_backend_init();

    [LibraryImport(LibraryName)]
    public static partial nint llama_print_system_info();

    [LibraryImport(LibraryName)]
    public static partial void llama_log_set(delegate* unmanaged<int, byte*, void*, void> log_callback, void* user_data);

    [LibraryImport(LibraryName)]
    public static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(LibraryName)]
    public static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(LibraryName)]
    public static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

    [LibraryImport(LibraryName)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_supports_gpu_offload();

    // Model

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint llama_model_load_from_file(string path_model, LlamaModelParams @params);

    [LibraryImport(LibraryName)]
    public static partial void llama_model_free(nint model);

    [LibraryImport(LibraryName)]
    public static partial nint llama_model_get_vocab(nint model);

    [LibraryImport(LibraryName)]
    public static partial int llama_model_n_layer(nint model);

    [LibraryImport(LibraryName)]
    public static partial int llama_model_n_ctx_train(nint model);

    [LibraryImport(LibraryName)]
    public static partial ulong llama_model_n_params(nint model);

    [LibraryImport(LibraryName)]
    public static partial int llama_model_desc(nint model, byte* buf, nuint buf_size);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint llama_model_chat_template(nint model, string? name);

    // Context

    [LibraryImport(LibraryName)]
    public static partial nint llama_init_from_model(nint model, LlamaContextParams @params);

    [LibraryImport(LibraryName)]
    public static partial void llama_free(nint ctx);

    [LibraryImport(LibraryName)]
    public static partial uint llama_n_ctx(nint ctx);

    [LibraryImport(LibraryName)]
    public static partial uint llama_n_ctx_seq(nint ctx);

    [LibraryImport(LibraryName)]
    public static partial uint llama_n_batch(nint ctx);

    [LibraryImport(LibraryName)]
    public static partial uint llama_n_seq_max(nint ctx);

    [LibraryImport(LibraryName)]
    public static partial nint llama_get_memory(nint ctx);

    [LibraryImport(LibraryName)]
    public static partial void llama_set_abort_callback(nint ctx, delegate* unmanaged<void*, byte> abort_callback, void* abort_callback_data);

    [LibraryImport(LibraryName)]
    public static partial void llama_set_n_threads(nint ctx, int n_threads, int n_threads_batch);

    // Memory (KV cache)

    [LibraryImport(LibraryName)]
    public static partial void llama_memory_clear(nint mem, [MarshalAs(UnmanagedType.U1)] bool data);

    [LibraryImport(LibraryName)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_memory_seq_rm(nint mem, int seq_id, int p0, int p1);

    [LibraryImport(LibraryName)]
    public static partial int llama_memory_seq_pos_max(nint mem, int seq_id);

    // Batch and decode

    [LibraryImport(LibraryName)]
    public static partial LlamaBatch llama_batch_init(int n_tokens, int embd, int n_seq_max);

    [LibraryImport(LibraryName)]
    public static partial void llama_batch_free(LlamaBatch batch);

    [LibraryImport(LibraryName)]
    public static partial LlamaBatch llama_batch_get_one(int* tokens, int n_tokens);

    [LibraryImport(LibraryName)]
    public static partial int llama_decode(nint ctx, LlamaBatch batch);

    [LibraryImport(LibraryName)]
    public static partial float* llama_get_logits_ith(nint ctx, int i);

    // Vocabulary

    [LibraryImport(LibraryName)]
    public static partial int llama_vocab_n_tokens(nint vocab);

    [LibraryImport(LibraryName)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_vocab_is_eog(nint vocab, int token);

    [LibraryImport(LibraryName)]
    public static partial int llama_vocab_bos(nint vocab);

    [LibraryImport(LibraryName)]
    public static partial int llama_vocab_eos(nint vocab);

    [LibraryImport(LibraryName)]
    public static partial int llama_tokenize(
        nint vocab, byte* text, int text_len, int* tokens, int n_tokens_max,
        [MarshalAs(UnmanagedType.U1)] bool add_special, [MarshalAs(UnmanagedType.U1)] bool parse_special);

    [LibraryImport(LibraryName)]
    public static partial int llama_token_to_piece(
        nint vocab, int token, byte* buf, int length, int lstrip, [MarshalAs(UnmanagedType.U1)] bool special);

    // Chat templates

    [LibraryImport(LibraryName)]
    public static partial int llama_chat_apply_template(
        byte* tmpl, LlamaChatMessage* chat, nuint n_msg, [MarshalAs(UnmanagedType.U1)] bool add_ass, byte* buf, int length);

    // Sampling

    [LibraryImport(LibraryName)]
    public static partial nint llama_sampler_chain_init(LlamaSamplerChainParams @params);

    [LibraryImport(LibraryName)]
    public static partial void llama_sampler_chain_add(nint chain, nint smpl);

    [LibraryImport(LibraryName)]
    public static partial void llama_sampler_free(nint smpl);

    [LibraryImport(LibraryName)]
    public static partial void llama_sampler_accept(nint smpl, int token);

    [LibraryImport(LibraryName)]
    public static partial int llama_sampler_sample(nint smpl, nint ctx, int idx);

    [LibraryImport(LibraryName)]
    public static partial nint llama_sampler_init_greedy();

    [LibraryImport(LibraryName)]
    public static partial nint llama_sampler_init_dist(uint seed);

    [LibraryImport(LibraryName)]
    public static partial nint llama_sampler_init_top_k(int k);

    [LibraryImport(LibraryName)]
    public static partial nint llama_sampler_init_top_p(float p, nuint min_keep);

    [LibraryImport(LibraryName)]
    public static partial nint llama_sampler_init_min_p(float p, nuint min_keep);

    [LibraryImport(LibraryName)]
    public static partial nint llama_sampler_init_temp(float t);

    [LibraryImport(LibraryName)]
    public static partial nint llama_sampler_init_penalties(
        int n_vocab, int penalty_last_n, float penalty_repeat, float penalty_freq, float penalty_present);
}
