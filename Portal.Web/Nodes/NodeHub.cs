using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;

namespace Portal.Web.Nodes;

/// <summary>
/// Where inference nodes connect (<see cref="NodeKeyAuthentication"/> only): they register, heartbeat,
/// answer the portal's requests and stream their generations. Each call is checked against the calling
/// connection: a node speaks only for its own requests and generations.
/// </summary>
[Authorize(Policy = NodeKeyAuthentication.Policy)]
public sealed class NodeHub(NodeRegistry registry) : Hub
{
    public const string Path = "/hubs/nodes";

    public override Task OnConnectedAsync()
    {
        var user = Context.User!;
        Guid? keyId = Guid.TryParse(user.FindFirst(NodeKeyAuthentication.KeyIdClaim)?.Value, out var id) ? id : null;
        registry.Connect(Context.ConnectionId, keyId, user.FindFirst(NodeKeyAuthentication.LocalWorkerClaim)?.Value, Context.Abort);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        registry.Disconnected(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public void Register(NodeHello hello) => registry.Register(Context.ConnectionId, hello);

    public void Heartbeat(NodeHeartbeat heartbeat) => registry.Heartbeat(Context.ConnectionId, heartbeat);

    public void Reply(string requestId, NodeReply reply) => registry.Reply(Context.ConnectionId, requestId, reply);

    public void LoadProgress(string requestId, NodeLoadProgress progress) => registry.LoadProgress(Context.ConnectionId, requestId, progress);

    public void Started(string generationId, int promptTokens) => registry.Started(Context.ConnectionId, generationId, promptTokens);

    public void Tokens(TokenFrame[] frames) => registry.Tokens(Context.ConnectionId, frames);

    public void Finished(string generationId, GenerationResult result) => registry.Finished(Context.ConnectionId, generationId, result);
}
