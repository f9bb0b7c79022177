using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Portal.Web.Identity;

namespace Portal.Web.Chat;

/// <summary>
/// Chat over SignalR, for the portal's own clients and external ones. Every method is held to the
/// caller's active tenant and to conversations the caller owns: any other id answers "Conversation
/// not found." and changes nothing. Access is read from the database on connect and on every call,
/// so a person disabled since sign-in is refused; <see cref="IAccessRevocation"/> closes open connections.
/// An answer streams to the calling connection only, and stops when that connection closes.
/// </summary>
[Authorize(Policy = PortalPolicies.Member)]
public sealed class ChatHub(
    ChatGenerations generations,
    ConversationStore store,
    ChatAccess access,
    ChatConnections connections,
    IHubContext<ChatHub, IChatClient> hubContext) : Hub<IChatClient>
{
    public const string Path = "/hubs/chat";

    public override async Task OnConnectedAsync()
    {
        if (ChatCaller.From(Context.User) is not { } caller || !await access.CanChatAsync(caller, Context.ConnectionAborted))
        {
            Context.Abort();
            return;
        }

        connections.Add(Context, caller);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        // Running answers of this connection stop through Context.ConnectionAborted.
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    public Task<IReadOnlyList<WorkspaceView>> ListWorkspaces() =>
        Guarded(async caller => (IReadOnlyList<WorkspaceView>)[.. (await store.WorkspacesAsync(caller, Context.ConnectionAborted)).Select(w => new WorkspaceView(w.Id, w.Name))]);

    public Task<IReadOnlyList<ModelChoice>> ListModels() =>
        Guarded(caller => store.ModelsAsync(caller, Context.ConnectionAborted));

    public Task<IReadOnlyList<ConversationSummary>> ListConversations(Guid workspaceId, string? search) =>
        Guarded(caller => store.ListAsync(caller, workspaceId, search, Context.ConnectionAborted));

    public Task<Guid> CreateConversation(Guid workspaceId, Guid modelEntryId, string? title) =>
        Guarded(async caller => (await store.CreateAsync(caller, workspaceId, modelEntryId, title, Context.ConnectionAborted)).Id);

    public Task<ConversationView> GetConversation(Guid conversationId) =>
        Guarded(async caller =>
        {
            var conversation = await store.GetAsync(caller, conversationId, Context.ConnectionAborted);
            return new ConversationView(conversation.Id, conversation.WorkspaceId, conversation.Title, conversation.ModelEntryId,
                generations.IsGenerating(conversation.Id), [.. conversation.Messages.Select(MessageView.From)]);
        });

    public Task<bool> RenameConversation(Guid conversationId, string title) =>
        Guarded(async caller =>
        {
            await store.RenameAsync(caller, conversationId, title, Context.ConnectionAborted);
            return true;
        });

    public Task<bool> DeleteConversation(Guid conversationId) =>
        Guarded(async caller =>
        {
            if (generations.IsGenerating(conversationId))
            {
                await store.GetAsync(caller, conversationId, Context.ConnectionAborted); // "not found" first for others' ids
                throw new ChatRequestException("An answer is still being written in this conversation; stop it first.");
            }

            await store.DeleteAsync(caller, conversationId, Context.ConnectionAborted);
            return true;
        });

    /// <summary>
    /// Runs the generation pipeline for the message and streams the answer to this connection
    /// (ReceiveTokens, then GenerationCompleted). A policy refusal arrives as a GenerationCompleted
    /// frame in state Refused that names the policy and rule. The pipeline checks the caller's access.
    /// </summary>
    public Task<GenerationStarted> SendMessage(Guid conversationId, string text) =>
        Pipeline(caller => generations.StartAsync(caller, conversationId, text ?? "", Sink(), Context.ConnectionAborted));

    /// <summary>Replaces the last answer with a new one, streamed to this connection.</summary>
    public Task<GenerationStarted> Regenerate(Guid conversationId) =>
        Pipeline(caller => generations.StartAsync(caller, conversationId, null, Sink(), Context.ConnectionAborted));

    /// <summary>Stops the answer being written; it is stored as "stopped" with what was produced. False when none runs.</summary>
    public Task<bool> Stop(Guid conversationId) =>
        Guarded(caller => generations.StopAsync(caller, conversationId, Context.ConnectionAborted));

    private HubGenerationSink Sink() => new(hubContext, Context.ConnectionId);

    /// <summary>Calls the generation pipeline (which checks access itself) and translates its refusals for the client.</summary>
    private async Task<GenerationStarted> Pipeline(Func<ChatCaller, Task<GenerationStarted>> action)
    {
        if (ChatCaller.From(Context.User) is not { } caller)
        {
            Context.Abort();
            throw new HubException("Your access to chat in this tenant has ended.");
        }

        try
        {
            return await action(caller);
        }
        catch (ChatAccessEndedException ex)
        {
            Context.Abort();
            throw new HubException(ex.Message, ex);
        }
        catch (ChatRequestException ex)
        {
            throw new HubException(ex.Message, ex);
        }
    }

    /// <summary>Checks the caller's access now, and turns refusals into a HubException whose message the client sees.</summary>
    private async Task<T> Guarded<T>(Func<ChatCaller, Task<T>> action)
    {
        if (ChatCaller.From(Context.User) is not { } caller || !await access.CanChatAsync(caller, Context.ConnectionAborted))
        {
            Context.Abort();
            throw new HubException("Your access to chat in this tenant has ended.");
        }

        try
        {
            return await action(caller);
        }
        catch (ChatRequestException ex)
        {
            throw new HubException(ex.Message, ex);
        }
    }
}
