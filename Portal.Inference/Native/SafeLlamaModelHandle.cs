using Microsoft.Win32.SafeHandles;

namespace Portal.Inference.Native;

/// <summary>Owns a <c>llama_model*</c>; the weights are freed after the last context releases it.</summary>
internal sealed class SafeLlamaModelHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private SafeLlamaModelHandle(nint model)
        : base(ownsHandle: true) => SetHandle(model);

    /// <summary>Loads a GGUF file; throws <see cref="LlamaException"/> with llama.cpp's reason on failure.</summary>
    public static SafeLlamaModelHandle LoadFromFile(string path, LlamaModelParams parameters)
    {
        using var capture = NativeLog.CaptureErrors();
        var model = LlamaNative.llama_model_load_from_file(path, parameters);
        return new SafeLlamaModelHandle(NativeStatus.CheckCreated(model, $"load the model '{path}'", capture));
    }

    /// <summary>The model's vocabulary; valid while the model lives.</summary>
    public nint Vocab => LlamaNative.llama_model_get_vocab(handle);

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}
