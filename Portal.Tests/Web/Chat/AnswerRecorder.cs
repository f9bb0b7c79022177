using Microsoft.AspNetCore.SignalR.Client;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>Records what the hub sends a connection, in order, and completes when an answer ends.</summary>
public sealed class AnswerRecorder
{
    private readonly TaskCompletionSource<GenerationCompletedFrame> completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TokenFrame> firstTokens = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AnswerRecorder(HubConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.On<GenerationStateFrame>(nameof(IChatClient.GenerationStateChanged), frame => { lock (States) { States.Add(frame.State); } });
        connection.On<TokenFrame>(nameof(IChatClient.ReceiveTokens), frame =>
        {
            lock (Frames)
            {
                Frames.Add(frame);
            }

            firstTokens.TrySetResult(frame);
        });
        connection.On<GenerationCompletedFrame>(nameof(IChatClient.GenerationCompleted), frame => completed.TrySetResult(frame));
    }

    public List<GenerationState> States { get; } = [];

    public List<TokenFrame> Frames { get; } = [];

    public Task<TokenFrame> FirstTokens => firstTokens.Task.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

    public Task<GenerationCompletedFrame> Completed => completed.Task.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

    public string Text
    {
        get
        {
            lock (Frames)
            {
                return string.Concat(Frames.Select(f => f.Text));
            }
        }
    }
}
