using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Models;
using Portal.Domain.Policies;
using Portal.Domain.Usage;
using Portal.Inference.Engine;
using Portal.Web.Audit;
using Portal.Web.Models;
using Portal.Web.Policies;

namespace Portal.Web.Chat;

/// <summary>A model the caller's tenant may chat with.</summary>
public sealed record ModelChoice(Guid Id, string Name, bool IsTestModel, bool IsLoaded, int ContextLength);

/// <summary>A conversation in the list: no messages.</summary>
public sealed record ConversationSummary(Guid Id, Guid WorkspaceId, string Title, Guid? ModelEntryId, DateTimeOffset UpdatedAt);

/// <summary>How the tenant's policy shapes answers, as the chat page tells the person.</summary>
public sealed record PolicySummary(string Label, bool SelfCheck, SelfCheckStreaming SelfCheckStreaming, bool StorePrompts);

/// <summary>Figures of one stored answer, from its usage record.</summary>
public sealed record AnswerFigures(double TimeToFirstTokenMs, double DurationMs, double TokensPerSecond);

/// <summary>
/// The caller's workspaces and conversations. Every read and write is held to the caller's tenant
/// (the data layer's filter) and to conversations the caller owns: anything else is "not found".
/// A context per operation, since a Blazor page may call it again before the last call ended.
/// </summary>
public sealed class ConversationStore(
    IDbContextFactory<PortalDbContext> contexts,
    ITenantContext tenantContext,
    ModelCatalog models,
    AuditLog audit,
    TimeProvider time)
{
    public const string DefaultWorkspaceName = "General";

    public const string NewConversationTitle = "New conversation";

    public const int MaxTitleLength = 200;

    /// <summary>The tenant's workspaces; a tenant with none gets a "General" one.</summary>
    public async Task<IReadOnlyList<Workspace>> WorkspacesAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        var workspaces = await db.Workspaces.OrderBy(w => w.Name).ToListAsync(cancellationToken);
        if (workspaces.Count > 0)
        {
            return workspaces;
        }

        var general = new Workspace { TenantId = caller.TenantId, Name = DefaultWorkspaceName, CreatedAt = time.GetUtcNow() };
        db.Workspaces.Add(general);
        await db.SaveChangesAsync(cancellationToken);
        return [general];
    }

    /// <summary>The models the tenant's members may use (granted, enabled and allowed by the policy), loaded ones first.</summary>
    public async Task<IReadOnlyList<ModelChoice>> ModelsAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        var granted = await db.ModelGrants
            .Join(db.ModelEntries, g => g.ModelEntryId, m => m.Id, (_, m) => m)
            .Where(m => m.IsEnabled)
            .ToListAsync(cancellationToken);
        if (await PolicyStore.CurrentAsync(db, cancellationToken) is { AllowedModelIds.Count: > 0 } policy)
        {
            granted = [.. granted.Where(m => policy.AllowedModelIds.Contains(m.Id))];
        }

        return [.. granted
            .Select(m => new ModelChoice(m.Id, m.Name, m.IsTestModel, m.Kind == ModelKind.Endpoint || models.IsLoaded(m.Id), m.ContextLength))
            .OrderByDescending(m => m.IsLoaded).ThenBy(m => m.IsTestModel).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The caller's conversations in a workspace, newest first; <paramref name="search"/> matches titles and message text.</summary>
    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(ChatCaller caller, Guid workspaceId, string? search = null, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        var query = db.Conversations.Where(c => c.OwnerUserId == caller.UserId && c.WorkspaceId == workspaceId);
        if (!string.IsNullOrWhiteSpace(search))
        {
            // Lower-cased on both sides: the same case-insensitive match on every provider. (The
            // StringComparison overload that CA1862 suggests has no SQL translation.)
            var term = search.Trim().ToLowerInvariant();
#pragma warning disable CA1862
            query = query.Where(c => c.Title.ToLower().Contains(term) || c.Messages.Any(m => m.Content.ToLower().Contains(term)));
#pragma warning restore CA1862
        }

        var rows = await query
            .Select(c => new ConversationSummary(c.Id, c.WorkspaceId, c.Title, c.ModelEntryId, c.UpdatedAt))
            .ToListAsync(cancellationToken);
        return [.. rows.OrderByDescending(c => c.UpdatedAt)];
    }

    /// <summary>Starts a conversation with a model the tenant may use, in one of its workspaces.</summary>
    public async Task<Conversation> CreateAsync(ChatCaller caller, Guid workspaceId, Guid modelEntryId, string? title = null, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        if (!await db.Workspaces.AnyAsync(w => w.Id == workspaceId, cancellationToken))
        {
            throw new ChatRequestException("Workspace not found.");
        }

        if (!await db.ModelGrants.AnyAsync(g => g.ModelEntryId == modelEntryId, cancellationToken)
            || !await db.ModelEntries.AnyAsync(m => m.Id == modelEntryId && m.IsEnabled, cancellationToken))
        {
            throw new ChatRequestException("That model is not available to your tenant.");
        }

        if (await PolicyStore.CurrentAsync(db, cancellationToken) is { AllowedModelIds.Count: > 0 } policy && !policy.AllowedModelIds.Contains(modelEntryId))
        {
            var refusal = new PolicyAction(PolicyActionKind.ModelNotAllowed, policy.Name, policy.Version, "the tenant's policy does not allow this model; pick another");
            await audit.RecordAsync(db, PolicyAudit.Entry(caller.UserId, caller.TenantId, $"model:{modelEntryId}", refusal, null, null), cancellationToken);
            throw new ChatRequestException(refusal.Describe());
        }

        var now = time.GetUtcNow();
        var conversation = new Conversation
        {
            TenantId = caller.TenantId,
            WorkspaceId = workspaceId,
            OwnerUserId = caller.UserId,
            Title = CleanTitle(title) ?? NewConversationTitle,
            ModelEntryId = modelEntryId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Conversations.Add(conversation);
        await db.SaveChangesAsync(cancellationToken);
        return conversation;
    }

    /// <summary>The conversation with its messages in order; <see cref="ConversationNotFoundException"/> when not the caller's.</summary>
    public async Task<Conversation> GetAsync(ChatCaller caller, Guid conversationId, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        var conversation = await db.Conversations.AsNoTracking()
            .Include(c => c.Messages)
            .FirstOrDefaultAsync(c => c.Id == conversationId && c.OwnerUserId == caller.UserId, cancellationToken)
            ?? throw new ConversationNotFoundException();
        conversation.Messages = [.. conversation.Messages.OrderBy(m => m.CreatedAt).ThenBy(m => m.Role)];
        return conversation;
    }

    /// <summary>Timing figures of the conversation's stored answers, by message id (each usage record names its answer).</summary>
    public async Task<IReadOnlyDictionary<Guid, AnswerFigures>> FiguresAsync(ChatCaller caller, Conversation conversation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        await using var db = await OpenAsync(caller, cancellationToken);
        var records = await db.UsageRecords
            .Where(u => u.ConversationId == conversation.Id && u.UserId == caller.UserId && u.MessageId != null)
            .ToListAsync(cancellationToken);
        return records.ToDictionary(
            r => r.MessageId!.Value,
            r => new AnswerFigures(r.TimeToFirstToken.TotalMilliseconds, r.Duration.TotalMilliseconds, r.TokensPerSecond));
    }

    /// <summary>The tenant's policy as the chat page describes it, or null when the tenant has none.</summary>
    public async Task<PolicySummary?> PolicyAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        return await PolicyStore.CurrentAsync(db, cancellationToken) is { } policy
            ? new PolicySummary(policy.Label, policy.SelfCheckEnabled && policy.PrincipleList.Count > 0, policy.SelfCheckStreaming, policy.StorePrompts)
            : null;
    }

    /// <summary>Adds the person's message (as the model reads it: redacted) to <paramref name="db"/>'s unit of work.</summary>
    internal static Message AddQuestion(PortalDbContext db, Conversation conversation, string text, TenantPolicy? policy, IReadOnlyList<PolicyAction> actions, DateTimeOffset now)
    {
        var question = new Message
        {
            TenantId = conversation.TenantId,
            ConversationId = conversation.Id,
            Role = MessageRole.User,
            Content = text,
            CreatedAt = now,
            PolicyVersion = policy?.Version,
            PolicyActions = [.. actions.Where(a => a.Kind == PolicyActionKind.Redacted)],
        };
        db.Messages.Add(question);
        if (conversation.Title == NewConversationTitle && CleanTitle(text) is { } title)
        {
            conversation.Title = title.Length <= 60 ? title : title[..60] + "…";
        }

        conversation.UpdatedAt = now;
        return question;
    }

    /// <summary>Adds the answer as far as it got to <paramref name="db"/>'s unit of work.</summary>
    internal static async Task<Message> AddAnswerAsync(PortalDbContext db, StoredAnswer answer, DateTimeOffset now)
    {
        var message = new Message
        {
            TenantId = answer.Caller.TenantId,
            ConversationId = answer.ConversationId,
            Role = MessageRole.Assistant,
            Content = answer.Content,
            Status = answer.Status,
            Error = answer.Error,
            PromptTokens = answer.Result.PromptTokens,
            CompletionTokens = answer.Result.CompletionTokens,
            CreatedAt = now,
            PolicyVersion = answer.Policy?.Version,
            PolicyActions = [.. answer.Actions],
            SelfCheckDraft = answer.Draft,
            SelfCheckCritique = answer.Critique,
            RevisedUnderPrinciple = answer.RevisedUnderPrinciple,
        };
        db.Messages.Add(message);
        if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == answer.ConversationId) is { } conversation)
        {
            conversation.UpdatedAt = now;
        }

        return message;
    }

    /// <summary>Adds the generation's usage record, tied to its answer when the answer is stored.</summary>
    internal static UsageRecord AddUsage(PortalDbContext db, StoredAnswer answer, Guid? messageId, double tokensPerSecond, DateTimeOffset now)
    {
        var record = new UsageRecord
        {
            TenantId = answer.Caller.TenantId,
            UserId = answer.Caller.UserId,
            ModelEntryId = answer.ModelEntryId,
            ConversationId = answer.ConversationId,
            MessageId = messageId,
            PromptTokens = answer.Result.PromptTokens,
            CompletionTokens = answer.Result.CompletionTokens,
            TimeToFirstToken = answer.Result.TimeToFirstToken ?? TimeSpan.Zero,
            Duration = answer.Result.TotalTime,
            TokensPerSecond = tokensPerSecond,
            Node = UsageRecord.NodeName(answer.Result.Node),
            Outcome = answer.Status == MessageStatus.Refused ? GenerationOutcome.Refused : answer.Result.FinishReason switch
            {
                FinishReason.Stop => GenerationOutcome.Completed,
                FinishReason.Length => GenerationOutcome.Length,
                FinishReason.Cancelled => GenerationOutcome.Stopped,
                _ => GenerationOutcome.Failed,
            },
            CreatedAt = now,
        };
        db.UsageRecords.Add(record);
        return record;
    }

    public async Task RenameAsync(ChatCaller caller, Guid conversationId, string title, CancellationToken cancellationToken = default)
    {
        var cleaned = CleanTitle(title) ?? throw new ChatRequestException("A title cannot be empty.");
        await using var db = await OpenAsync(caller, cancellationToken);
        var conversation = await FindOwnedAsync(db, caller, conversationId, cancellationToken);
        conversation.Title = cleaned;
        conversation.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Deletes the conversation and its messages (usage records stay: they are the tenant's accounts).</summary>
    public async Task DeleteAsync(ChatCaller caller, Guid conversationId, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        var conversation = await FindOwnedAsync(db, caller, conversationId, cancellationToken);
        db.Messages.RemoveRange(await db.Messages.Where(m => m.ConversationId == conversationId).ToListAsync(cancellationToken));
        db.Conversations.Remove(conversation);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Removes <paramref name="messageId"/> and every message after it (editing an earlier message
    /// replaces the turns that followed it) and returns what was removed, for <see cref="RestoreAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<Message>> RemoveFromAsync(ChatCaller caller, Guid conversationId, Guid messageId, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        await FindOwnedAsync(db, caller, conversationId, cancellationToken);
        var messages = await db.Messages.Where(m => m.ConversationId == conversationId).ToListAsync(cancellationToken);
        messages = [.. messages.OrderBy(m => m.CreatedAt).ThenBy(m => m.Role)];
        var index = messages.FindIndex(m => m.Id == messageId);
        if (index < 0 || messages[index].Role != MessageRole.User)
        {
            throw new ChatRequestException("That message is no longer in this conversation; reload it.");
        }

        var removed = messages[index..];
        db.Messages.RemoveRange(removed);
        await db.SaveChangesAsync(cancellationToken);
        return removed;
    }

    /// <summary>Puts back messages <see cref="RemoveFromAsync"/> took out, when the edit could not be sent.</summary>
    public async Task RestoreAsync(ChatCaller caller, IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        await using var db = await OpenAsync(caller, cancellationToken);
        foreach (var message in messages)
        {
            await FindOwnedAsync(db, caller, message.ConversationId, cancellationToken);
            db.Messages.Add(message);
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    internal static async Task<Conversation> FindOwnedAsync(PortalDbContext db, ChatCaller caller, Guid conversationId, CancellationToken cancellationToken) =>
        await db.Conversations.FirstOrDefaultAsync(c => c.Id == conversationId && c.OwnerUserId == caller.UserId, cancellationToken)
            ?? throw new ConversationNotFoundException();

    internal static string? CleanTitle(string? title)
    {
        var cleaned = string.Join(' ', (title ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return cleaned.Length == 0 ? null : cleaned.Length <= MaxTitleLength ? cleaned : cleaned[..MaxTitleLength];
    }

    private async Task<PortalDbContext> OpenAsync(ChatCaller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        tenantContext.SetTenant(caller.TenantId);
        return await contexts.CreateDbContextAsync(cancellationToken);
    }
}
