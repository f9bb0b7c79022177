using Microsoft.AspNetCore.SignalR;

namespace Portal.Web.Chat;

/// <summary>Sends one generation's frames to the hub connection that started it, and to no other.</summary>
internal sealed class HubGenerationSink(IHubContext<ChatHub, IChatClient> hub, string connectionId) : IGenerationSink
{
    private IChatClient Client => hub.Clients.Client(connectionId);

    public string Door => "hub";

    public Task StateChangedAsync(GenerationStateFrame frame) => Client.GenerationStateChanged(frame);

    public Task TokensAsync(TokenFrame frame) => Client.ReceiveTokens(frame);

    public Task CompletedAsync(GenerationCompletedFrame frame) => Client.GenerationCompleted(frame);
}
