using Microsoft.Win32.SafeHandles;

namespace Portal.Inference.Native;

/// <summary>Owns a <c>llama_context*</c> and holds a reference on its model until freed.</summary>
internal sealed class SafeLlamaContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly SafeLlamaModelHandle model;

    private SafeLlamaContextHandle(SafeLlamaModelHandle model)
        : base(ownsHandle: true) => this.model = model;

    public static SafeLlamaContextHandle Create(SafeLlamaModelHandle model, LlamaContextParams parameters)
    {
        var context = new SafeLlamaContextHandle(model);
        var added = false;
        model.DangerousAddRef(ref added);
        using var capture = NativeLog.CaptureErrors();
        var pointer = LlamaNative.llama_init_from_model(model.DangerousGetHandle(), parameters);
        if (pointer == 0)
        {
            model.DangerousRelease();
            context.SetHandleAsInvalid();
            NativeStatus.CheckCreated(pointer, "create a context for the model", capture);
        }

        context.SetHandle(pointer);
        return context;
    }

    /// <summary>The model this context runs; kept alive by this context.</summary>
    public SafeLlamaModelHandle Model => model;

    /// <summary>The context's KV-cache memory, valid while the context lives.</summary>
    public nint Memory => LlamaNative.llama_get_memory(handle);

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        model.DangerousRelease();
        return true;
    }
}
