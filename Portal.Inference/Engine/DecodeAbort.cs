namespace Portal.Inference.Engine;

/// <summary>
/// What llama.cpp's abort callback reads. A request to abort names the decode it was meant for, so a
/// cancellation that arrives after its decode ended can never stop the next one, which holds other
/// conversations. <see cref="AbortEverything"/> (unload, shutdown) stops whatever runs, for good.
/// </summary>
internal sealed class DecodeAbort
{
    private long nextDecode;
    private long running;
    private long requested;
    private volatile bool everything;

    public bool ShouldAbort
    {
        get
        {
            if (everything)
            {
                return true;
            }

            var current = Interlocked.Read(ref running);
            return current != 0 && Interlocked.Read(ref requested) == current;
        }
    }

    /// <summary>Marks the start of a decode; returns its id.</summary>
    public long Begin()
    {
        var id = Interlocked.Increment(ref nextDecode);
        Interlocked.Exchange(ref running, id);
        return id;
    }

    public void End() => Interlocked.Exchange(ref running, 0);

    /// <summary>Aborts decode <paramref name="decode"/> if it still runs; no effect on any other.</summary>
    public void Abort(long decode) => Interlocked.Exchange(ref requested, decode);

    public void AbortEverything() => everything = true;
}
