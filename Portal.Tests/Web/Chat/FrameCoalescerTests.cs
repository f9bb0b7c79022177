using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using Portal.Inference.Engine;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>Coalescing of streamed tokens into frames, on a fake clock.</summary>
public sealed class FrameCoalescerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(30);

    [Fact]
    public async Task Pump_BurstOfTokens_FirstAloneThenTheRestInOneFrame()
    {
        var time = new FakeTimeProvider();
        var frames = new List<(string Text, int Tokens)>();

        var count = await FrameCoalescer.PumpAsync(Tokens(10, time, TimeSpan.Zero, TestContext.Current.CancellationToken), Interval, time, Record(frames));

        Assert.Equal(2, count);
        Assert.Equal([("t0 ", 1), ("t1 t2 t3 t4 t5 t6 t7 t8 t9 ", 10)], frames);
    }

    [Fact]
    public async Task Pump_TokensSpacedByTheInterval_OneFrameEach()
    {
        var time = new FakeTimeProvider();
        var frames = new List<(string Text, int Tokens)>();

        var count = await FrameCoalescer.PumpAsync(Tokens(5, time, Interval, TestContext.Current.CancellationToken), Interval, time, Record(frames));

        Assert.Equal(5, count);
        Assert.Equal(["t0 ", "t1 ", "t2 ", "t3 ", "t4 "], frames.Select(f => f.Text));
    }

    [Fact]
    public async Task Pump_NoTokens_NoFrame()
    {
        var time = new FakeTimeProvider();
        var frames = new List<(string Text, int Tokens)>();

        Assert.Equal(0, await FrameCoalescer.PumpAsync(Tokens(0, time, TimeSpan.Zero, TestContext.Current.CancellationToken), Interval, time, Record(frames)));
        Assert.Empty(frames);
    }

    private static Func<string, int, Task> Record(List<(string, int)> frames) => (text, tokens) =>
    {
        frames.Add((text, tokens));
        return Task.CompletedTask;
    };

    private static async IAsyncEnumerable<TokenChunk> Tokens(int count, FakeTimeProvider time, TimeSpan advance, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                time.Advance(advance);
            }

            await Task.Yield();
            yield return new TokenChunk($"t{i} ", i + 1);
        }
    }
}
