using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Web.Models;

namespace Portal.Web.Chat;

/// <summary>A model the caller's tenant may chat with.</summary>
public sealed record ModelChoice(Guid Id, string Name, bool IsTestModel, bool IsLoaded, int ContextLength);

/// <summary>A conversation in the list: no messages.</summary>
public sealed record ConversationSummary(Guid Id, Guid WorkspaceId, string Title, Guid? ModelEntryId, DateTimeOffset UpdatedAt);

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

    /// <summary>The models the tenant may use (granted and enabled), loaded ones first.</summary>
    public async Task<IReadOnlyList<ModelChoice>> ModelsAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await OpenAsync(caller, cancellationToken);
        var granted = await db.ModelGrants
            .Join(db.ModelEntries, g => g.ModelEntryId, m => m.Id, (_, m) => m)
            .Where(m => m.IsEnabled)
            .ToListAsync(cancellationToken);
        return [.. granted
            .Select(m => new ModelChoice(m.Id, m.Name, m.IsTestModel, models.IsLoaded(m.Id), m.ContextLength))
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

    /// <summary>
    /// Timing figures of the conversation's stored answers, by message id. An answer and its usage
    /// record are written in one save with the same timestamp, which is what pairs them.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, AnswerFigures>> FiguresAsync(ChatCaller caller, Conversation conversation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        await using var db = await OpenAsync(caller, cancellationToken);
        var records = await db.UsageRecords.Where(u => u.ConversationId == conversation.Id && u.UserId == caller.UserId).ToListAsync(cancellationToken);
        var figures = new Dictionary<Guid, AnswerFigures>();
        foreach (var message in conversation.Messages.Where(m => m.Role == MessageRole.Assistant))
        {
            if (records.FirstOrDefault(r => r.CreatedAt == message.CreatedAt) is { } record)
            {
                figures[message.Id] = new AnswerFigures(record.TimeToFirstToken.TotalMilliseconds, record.Duration.TotalMilliseconds, record.TokensPerSecond);
            }
        }

        return figures;
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
