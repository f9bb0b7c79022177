using Portal.Inference.Engine;

namespace Portal.Tests.Inference.Engine;

/// <summary>
/// The abort flag llama.cpp polls. It used to be one boolean: a cancellation that arrived just after
/// its decode ended set it during the next decode, aborting other conversations' step.
/// </summary>
public sealed class DecodeAbortTests
{
    [Fact]
    public void AbortMeantForAnEndedDecode_DoesNotStopTheNext()
    {
        var abort = new DecodeAbort();
        var first = abort.Begin();
        abort.End();
        abort.Begin();

        abort.Abort(first);

        Assert.False(abort.ShouldAbort);
    }

    [Fact]
    public void AbortOfTheRunningDecode_StopsItAndNotTheNext()
    {
        var abort = new DecodeAbort();
        var running = abort.Begin();

        abort.Abort(running);
        var stopped = abort.ShouldAbort;
        abort.End();
        abort.Begin();

        Assert.True(stopped);
        Assert.False(abort.ShouldAbort);
    }

    [Fact]
    public void AbortEverything_StopsEveryLaterDecode()
    {
        var abort = new DecodeAbort();
        abort.AbortEverything();

        abort.Begin();

        Assert.True(abort.ShouldAbort);
    }
}
