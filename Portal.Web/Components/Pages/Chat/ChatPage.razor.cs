using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using Portal.Domain.Chat;
using Portal.Web.Chat;

namespace Portal.Web.Components.Pages.Chat;

/// <summary>
/// The chat page. It takes answers straight from <see cref="ChatGenerations"/> in its circuit rather
/// than through the chat hub with the SignalR client: the circuit already is a SignalR connection to
/// this server, so a second one from the server to itself would add a hop, a second serialisation
/// and a cookie to forward, for nothing. The hub serves external clients; both share one service.
/// Frames arrive coalesced (one per ~30 ms), which is what throttles re-rendering while tokens stream.
/// </summary>
public sealed partial class ChatPage : IDisposable
{
    // Answers started here stop when the page goes away (tab closed, reload, navigation off the circuit).
    private readonly CancellationTokenSource pageLifetime = new();
    private ChatCaller? caller;
    private IReadOnlyList<Workspace> workspaces = [];
    private IReadOnlyList<ModelChoice> models = [];
    private IReadOnlyList<ConversationSummary> conversations = [];
    private List<ChatMessageItem> messages = [];
    private Conversation? conversation;
    private ModelChoice? currentModel;
    private Guid workspaceId;
    private Guid? newModelId;
    private string? search;
    private string? notice;
    private bool notFound;
    private bool runningElsewhere;
    private int omittedMessages;
    private PolicySummary? policy;
    private bool drawerOpen;
    private bool scrollToEndPending;
    private ElementReference scroller;
    private ElementReference jumpButton;
    private IJSObjectReference? chatModule;

    /// <summary>The answer this page is streaming in the open conversation.</summary>
    private ChatMessageItem? running;

    [Parameter]
    public Guid? ConversationId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private ConversationStore Store { get; set; } = default!;

    [Inject]
    private ChatGenerations Generations { get; set; } = default!;

    [Inject]
    private IOptions<ChatOptions> Options { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    /// <summary>The model that would answer: the open conversation's, or the one picked for a new chat.</summary>
    private ModelChoice? ActiveModel => conversation is null ? models.FirstOrDefault(m => m.Id == newModelId) : currentModel;

    /// <summary>
    /// Why nothing can be sent now, said where the person types; null when a message can go. An open
    /// conversation whose model is missing from the picker is not blocked here: the picker cannot tell a
    /// grant taken away from a model the tenant's policy does not allow, and the pipeline refuses both
    /// with the right reason (the policy's refusal named with its version, shown in the conversation and audited).
    /// </summary>
    private string? BlockedReason =>
        models.Count == 0 && conversation is null ? "No model is granted to your tenant yet. Ask an administrator to grant one."
        : runningElsewhere ? "An answer is being written in this conversation in another window; reload when it ends."
        : ActiveModel is { IsLoaded: false } model ? $"The model '{model.Name}' is not loaded at the moment; ask an administrator to load it."
        : null;

    protected override async Task OnInitializedAsync()
    {
        caller = ChatCaller.From((await AuthenticationState).User);
        if (caller is null)
        {
            return;
        }

        workspaces = await Store.WorkspacesAsync(caller);
        models = await Store.ModelsAsync(caller);
        newModelId = models.FirstOrDefault(m => m.IsLoaded)?.Id ?? (models.Count > 0 ? models[0].Id : null);
        workspaceId = workspaces[0].Id;
        policy = await Store.PolicyAsync(caller);
    }

    protected override async Task OnParametersSetAsync()
    {
        if (caller is null)
        {
            return;
        }

        drawerOpen = false;
        if (ConversationId is { } id && conversation?.Id == id)
        {
            // The conversation this page just created for its first message: it is open already.
            return;
        }

        running = null;
        omittedMessages = 0;
        await LoadConversationAsync();
        await RefreshListAsync();
        scrollToEndPending = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (caller is null)
        {
            return;
        }

        if (chatModule is null)
        {
            chatModule = await JS.InvokeAsync<IJSObjectReference>("import", "./js/chat.js");
            await chatModule.InvokeVoidAsync("followMessages", scroller, jumpButton);
        }
        else if (scrollToEndPending)
        {
            await chatModule.InvokeVoidAsync("scrollToEnd", scroller);
        }

        scrollToEndPending = false;
    }

    private async Task LoadConversationAsync()
    {
        conversation = null;
        messages = [];
        notFound = false;
        if (ConversationId is not { } id)
        {
            return;
        }

        try
        {
            conversation = await Store.GetAsync(caller!, id);
        }
        catch (ConversationNotFoundException)
        {
            notFound = true;
            return;
        }

        var figures = await Store.FiguresAsync(caller!, conversation);
        messages = [.. conversation.Messages.Select(m => ChatMessageItem.From(m, figures.GetValueOrDefault(m.Id)))];
        currentModel = models.FirstOrDefault(m => m.Id == conversation.ModelEntryId);
        workspaceId = conversation.WorkspaceId;
        runningElsewhere = Generations.IsGenerating(id);
    }

    private async Task RefreshListAsync()
    {
        conversations = await Store.ListAsync(caller!, workspaceId, search);

        // The first message titles a new conversation on the server; show the title here as well.
        if (conversation is not null && conversations.FirstOrDefault(c => c.Id == conversation.Id) is { } listed)
        {
            conversation.Title = listed.Title;
        }
    }

    private string ModelName(Guid? id) =>
        id is null ? "" : models.FirstOrDefault(m => m.Id == id)?.Name ?? "(a model no longer available)";

    private void OpenDrawer() => drawerOpen = true;

    private void CloseDrawer() => drawerOpen = false;

    private void NewChat()
    {
        drawerOpen = false;
        Navigation.NavigateTo("chat");
    }

    private async Task SelectWorkspaceAsync(Guid id)
    {
        workspaceId = id;
        await RefreshListAsync();
    }

    private async Task SearchAsync(string? text)
    {
        search = text;
        await RefreshListAsync();
    }

    /// <summary>A new chat's first message creates its conversation, with the picked model, in the chosen workspace.</summary>
    private async Task<bool> CreateConversationAsync()
    {
        if (newModelId is not { } modelId)
        {
            notice = "Pick a model first.";
            return false;
        }

        try
        {
            conversation = await Store.CreateAsync(caller!, workspaceId, modelId);
            currentModel = models.FirstOrDefault(m => m.Id == modelId);
            messages = [];
            return true;
        }
        catch (ChatRequestException ex)
        {
            notice = ex.Message;
            return false;
        }
    }

    private async Task RenameAsync((ConversationSummary Item, string Title) rename)
    {
        try
        {
            await Store.RenameAsync(caller!, rename.Item.Id, rename.Title);
            if (conversation?.Id == rename.Item.Id)
            {
                conversation.Title = ConversationStore.CleanTitle(rename.Title) ?? conversation.Title;
            }
        }
        catch (ChatRequestException ex)
        {
            notice = ex.Message;
        }

        await RefreshListAsync();
    }

    private async Task DeleteAsync(ConversationSummary item)
    {
        if (Generations.IsGenerating(item.Id))
        {
            notice = "An answer is still being written in this conversation; stop it first.";
            return;
        }

        try
        {
            await Store.DeleteAsync(caller!, item.Id);
        }
        catch (ChatRequestException ex)
        {
            notice = ex.Message;
        }

        if (conversation?.Id == item.Id)
        {
            Navigation.NavigateTo("chat");
        }

        await RefreshListAsync();
    }

    private async Task<bool> SendAsync(string text)
    {
        var isNew = conversation is null;
        if (isNew && !await CreateConversationAsync())
        {
            return false;
        }

        var answer = new ChatMessageItem { Role = MessageRole.Assistant, State = GenerationState.Queued };
        var question = new ChatMessageItem { Role = MessageRole.User, Content = text.Trim() };
        if (await StartAsync(text, answer) is not { } started)
        {
            return false;
        }

        question.Id = started.UserMessageId;
        ShowInputPolicy(started, question);
        messages.Add(question);
        messages.Add(answer);
        if (isNew)
        {
            await RefreshListAsync();
            Navigation.NavigateTo($"chat/{conversation!.Id}");
        }

        return true;
    }

    /// <summary>
    /// The composer calls a plain delegate, not an EventCallback, so this page is not rendered again on its
    /// own afterwards: without this a refusal at send time (access ended, quota, model taken away) stayed unseen.
    /// </summary>
    private async Task<bool> SendFromComposerAsync(string text)
    {
        var sent = await SendAsync(text);
        StateHasChanged();
        return sent;
    }

    /// <summary>
    /// Edit and send again: the message and every turn after it are replaced (no branches are kept).
    /// If the new answer cannot start, the removed turns are put back, so nothing is lost.
    /// </summary>
    private async Task EditAsync((ChatMessageItem Item, string Text) edit)
    {
        var index = messages.IndexOf(edit.Item);
        if (edit.Item.Id is not { } messageId || index < 0 || running is not null || conversation is null)
        {
            return;
        }

        IReadOnlyList<Message> removed;
        try
        {
            removed = await Store.RemoveFromAsync(caller!, conversation.Id, messageId);
        }
        catch (ChatRequestException ex)
        {
            notice = ex.Message;
            return;
        }

        var shown = messages[index..];
        messages.RemoveRange(index, messages.Count - index);
        if (!await SendAsync(edit.Text))
        {
            await Store.RestoreAsync(caller!, removed);
            messages.AddRange(shown);
        }
    }

    private async Task RegenerateAsync(ChatMessageItem item)
    {
        var answer = new ChatMessageItem { Role = MessageRole.Assistant, State = GenerationState.Queued };
        if (await StartAsync(null, answer) is not null)
        {
            messages.Remove(item);
            messages.Add(answer);
        }
    }

    private async Task<GenerationStarted?> StartAsync(string? text, ChatMessageItem answer)
    {
        notice = null;
        try
        {
            running = answer;
            var started = await Generations.StartAsync(caller!, conversation!.Id, text, new PageSink(this, answer), pageLifetime.Token);
            answer.State = answer.State == GenerationState.Queued ? started.State : answer.State;
            omittedMessages = started.OmittedMessages;
            return started;
        }
        catch (ChatRequestException ex)
        {
            running = null;
            notice = ex.Message;
            return null;
        }
    }

    /// <summary>The question as the model read it (personal data redacted), with what the policy did to it.</summary>
    private static void ShowInputPolicy(GenerationStarted started, ChatMessageItem question)
    {
        if (started.UserText is { } text)
        {
            question.Content = text;
            question.PolicyActions = started.InputActions ?? [];
        }
    }

    private async Task StopAsync()
    {
        if (conversation is not null)
        {
            await Generations.StopAsync(caller!, conversation.Id);
        }
    }

    private async Task CopyAsync(ChatMessageItem item) =>
        await JS.InvokeVoidAsync("navigator.clipboard.writeText", item.Content);

    public void Dispose()
    {
        pageLifetime.Cancel();
        pageLifetime.Dispose();
        _ = chatModule?.DisposeAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default); // the circuit may be gone already
    }

    /// <summary>Takes one answer's frames into the page, on the circuit's dispatcher.</summary>
    private sealed class PageSink(ChatPage page, ChatMessageItem answer) : IGenerationSink
    {
        public string Door => "page";

        public Task StateChangedAsync(GenerationStateFrame frame) => Update(() => answer.Apply(frame));

        public Task TokensAsync(TokenFrame frame) => Update(() =>
        {
            answer.Content += frame.Text;
            answer.CompletionTokens = frame.CompletionTokens;
        });

        public Task CompletedAsync(GenerationCompletedFrame frame) => page.InvokeAsync(async () =>
        {
            answer.Apply(frame);
            page.omittedMessages = frame.OmittedMessages;
            if (page.running == answer)
            {
                page.running = null;
            }

            await page.RefreshListAsync();
            page.StateHasChanged();
        });

        private Task Update(Action change) => page.InvokeAsync(() =>
        {
            change();
            if (page.running == answer)
            {
                page.StateHasChanged();
            }
        });
    }
}
