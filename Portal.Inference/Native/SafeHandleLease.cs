using System.Runtime.InteropServices;

namespace Portal.Inference.Native;

/// <summary>
/// A reference held on a native object while another thread uses it: a model unloaded meanwhile is
/// freed only when the last lease ends, never under a tokenizer still reading its vocabulary.
/// </summary>
internal readonly struct SafeHandleLease : IDisposable
{
    private readonly SafeHandle? handle;

    private SafeHandleLease(SafeHandle handle) => this.handle = handle;

    /// <summary>False when the object is already closed (unloaded): it must not be touched.</summary>
    public static bool TryTake(SafeHandle handle, out SafeHandleLease lease)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
        }

        lease = added ? new SafeHandleLease(handle) : default;
        return added;
    }

    public void Dispose() => handle?.DangerousRelease();
}
