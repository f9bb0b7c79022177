using System.Text;
using Portal.Inference.Engine;

namespace Portal.Web.Chat;

/// <summary>
/// Reads a token stream and hands its text on in frames at most one per <c>interval</c>: the first
/// token goes out at once (time to first token is what a person feels), later ones are gathered.
/// </summary>
internal static class FrameCoalescer
{
    /// <returns>The number of frames sent.</returns>
    public static async Task<int> PumpAsync(
        IAsyncEnumerable<TokenChunk> tokens, TimeSpan interval, TimeProvider time, Func<string, int, Task> sendFrame)
    {
        var pending = new StringBuilder();
        var completionTokens = 0;
        var frames = 0;
        long? lastFrame = null;

        async Task Flush()
        {
            if (pending.Length > 0)
            {
                frames++;
                var text = pending.ToString();
                pending.Clear();
                lastFrame = time.GetTimestamp();
                await sendFrame(text, completionTokens);
            }
        }

        await using var enumerator = tokens.GetAsyncEnumerator();
        Task<bool>? next = null;
        while (true)
        {
            next ??= enumerator.MoveNextAsync().AsTask();
            if (pending.Length > 0)
            {
                var wait = lastFrame is { } last ? interval - time.GetElapsedTime(last) : TimeSpan.Zero;
                if (wait <= TimeSpan.Zero)
                {
                    await Flush();
                    continue;
                }

                if (await Task.WhenAny(next, Task.Delay(wait, time)) != next)
                {
                    await Flush();
                    continue;
                }
            }

            var more = await next;
            next = null;
            if (!more)
            {
                break;
            }

            pending.Append(enumerator.Current.Text);
            completionTokens = enumerator.Current.CompletionTokens;
        }

        await Flush();
        return frames;
    }
}
