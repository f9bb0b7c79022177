using System.Threading.Channels;
using Portal.Web.Chat;

namespace Portal.Web.Api;

/// <summary>
/// One API generation's frames, queued for the request that waits on them. The pipeline never waits on
/// the client: a slow reader only lets the queue grow (an answer is at most the portal's answer limit).
/// </summary>
internal sealed class ApiGenerationSink : IGenerationSink
{
    private readonly Channel<object> frames = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public ChannelReader<object> Frames => frames.Reader;

    public string Door => "api";

    public Task StateChangedAsync(GenerationStateFrame frame) => Write(frame);

    public Task TokensAsync(TokenFrame frame) => Write(frame);

    public Task CompletedAsync(GenerationCompletedFrame frame)
    {
        frames.Writer.TryWrite(frame);
        frames.Writer.TryComplete();
        return Task.CompletedTask;
    }

    /// <summary>Waits for the last frame, skipping the rest (a refusal or an answer not streamed).</summary>
    public async Task<GenerationCompletedFrame?> CompletedAsync(CancellationToken cancellationToken)
    {
        await foreach (var frame in frames.Reader.ReadAllAsync(cancellationToken))
        {
            if (frame is GenerationCompletedFrame completed)
            {
                return completed;
            }
        }

        return null;
    }

    private Task Write(object frame)
    {
        frames.Writer.TryWrite(frame);
        return Task.CompletedTask;
    }
}
