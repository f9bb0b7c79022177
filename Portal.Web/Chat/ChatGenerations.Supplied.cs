using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Web.Policies;

namespace Portal.Web.Chat;

/// <summary>The pipeline's entry for a caller-supplied history (<see cref="SuppliedChat"/>): the API door.</summary>
public sealed partial class ChatGenerations
{
    /// <summary>Name of the workspace that holds the API's conversations.</summary>
    public const string ApiWorkspaceName = "API";

    /// <summary>
    /// Runs the pipeline for a history the caller supplies, as <see cref="StartAsync(ChatCaller, Guid, string?, IGenerationSink, CancellationToken)"/>
    /// does for a stored conversation: the same access check, input policy (on every supplied turn),
    /// quota, admission, output rules, self-check, storage, settlement and audit. The exchange gets a
    /// conversation of its own in the tenant's "API" workspace, stored only when the policy stores prompts.
    /// </summary>
    public async Task<GenerationStarted> StartAsync(ChatCaller caller, SuppliedChat chat, IGenerationSink sink, CancellationToken lifetime)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(sink);
        if (chat.Messages.Count == 0 || chat.Messages[^1].Role != "user")
        {
            throw new ChatRequestException("The last message must be the person's (role \"user\").");
        }

        var question = CheckLength(chat.Messages[^1].Content)!;
        foreach (var turn in chat.Messages.SkipLast(1))
        {
            CheckTurnLength(turn.Content);
        }

        if (!await access.CanChatAsync(caller, lifetime))
        {
            throw new ChatAccessEndedException();
        }

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(caller.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var policy = await PolicyStore.CurrentAsync(db, lifetime);
        var now = time.GetUtcNow();
        var conversation = new Conversation
        {
            TenantId = caller.TenantId,
            WorkspaceId = await ApiWorkspaceAsync(db, caller.TenantId, now, lifetime),
            OwnerUserId = caller.UserId,
            Title = ConversationStore.CleanTitle(chat.Title) ?? ConversationStore.NewConversationTitle,
            ModelEntryId = chat.ModelEntryId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (policy?.StorePrompts ?? true)
        {
            db.Conversations.Add(conversation); // saved with the question, or not at all when the request is refused before
        }

        return await LaunchAsync(db, caller, conversation, question, chat, sink, lifetime);
    }

    private void CheckTurnLength(string content)
    {
        var most = options.Value.MaxMessageLength;
        if (content.Length > most)
        {
            throw new ChatRequestException($"A message has {content.Length} characters; the most is {most}.");
        }
    }

    /// <summary>The tenant's "API" workspace, created on first use (a parallel first request may create it first).</summary>
    private static async Task<Guid> ApiWorkspaceAsync(PortalDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.Workspaces.Where(w => w.Name == ApiWorkspaceName).Select(w => (Guid?)w.Id).FirstOrDefaultAsync(cancellationToken) is { } id)
        {
            return id;
        }

        var workspace = new Workspace { TenantId = tenantId, Name = ApiWorkspaceName, CreatedAt = now };
        db.Workspaces.Add(workspace);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return workspace.Id;
        }
        catch (DbUpdateException)
        {
            db.Entry(workspace).State = EntityState.Detached;
            return await db.Workspaces.Where(w => w.Name == ApiWorkspaceName).Select(w => w.Id).FirstAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Stage 2 for the turns before the question: each passes the same input policy (a rule that
    /// matches any turn refuses the request; personal data is redacted in each), so a client cannot
    /// slip text past the rules in an earlier turn or a system message.
    /// </summary>
    private static (List<Message> History, InputDecision Input) SuppliedInput(
        TenantPolicy? policy, SuppliedChat chat, InputDecision question, Guid modelEntryId, string modelName, DateTimeOffset now)
    {
        var history = new List<Message>();
        var actions = new List<PolicyAction>();
        PolicyAction? refusal = null;
        var at = now.AddTicks(-chat.Messages.Count);
        foreach (var turn in chat.Messages.SkipLast(1))
        {
            var decision = InputPolicy.Evaluate(policy, turn.Content, modelEntryId, modelName);
            refusal ??= decision.Refusal;
            actions.AddRange(decision.Actions.Where(a => a.Kind == PolicyActionKind.Redacted));
            var role = turn.Role switch
            {
                "system" => MessageRole.System,
                "assistant" => MessageRole.Assistant,
                _ => MessageRole.User,
            };
            history.Add(new Message { TenantId = Guid.Empty, Role = role, Content = decision.Text, CreatedAt = at = at.AddTicks(1) });
        }

        // One redaction action per kind of data, with the question's own actions first.
        var merged = question.Actions.Concat(actions)
            .GroupBy(a => (a.Kind, a.Detail)).Select(g => g.First())
            .ToList();
        if (question.Refusal is null && refusal is not null)
        {
            merged.Add(refusal);
        }

        return (history, new InputDecision(question.Text, question.Refusal ?? refusal, merged));
    }

    /// <summary>The policy's system prompt first, then the caller's system turns (the trimmer keeps no system turn of its own).</summary>
    private static string? SystemPrompt(TenantPolicy? policy, SuppliedChat? chat)
    {
        var parts = new List<string>();
        if (PolicyPrompt.SystemPrompt(policy) is { } policyPrompt)
        {
            parts.Add(policyPrompt);
        }

        if (chat is not null)
        {
            parts.AddRange(chat.Messages.SkipLast(1).Where(m => m.Role == "system" && m.Content.Length > 0).Select(m => m.Content));
        }

        return parts.Count == 0 ? null : string.Join("\n\n", parts);
    }
}
