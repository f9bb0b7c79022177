using Microsoft.EntityFrameworkCore;
using Portal.Domain.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>Stored conversations for browser tests that need an answer with known content.</summary>
public static class ChatSeed
{
    public const string CodeSample = "static int Add(int a, int b)\n{\n    return a + b; // the sum\n}";

    /// <summary>An answer long enough to scroll, with a C# code block, a list and a table.</summary>
    public static readonly string LongMarkdownAnswer =
        "Here is a function that adds two numbers:\n\n```csharp\n" + CodeSample + "\n```\n\n"
        + string.Join("\n", Enumerable.Range(1, 30).Select(i => $"- point {i}: llamas are social animals that live in herds")) + "\n\n"
        + "| animal | weight |\n| --- | --- |\n| llama | 150 kg |\n| alpaca | 60 kg |\n";

    /// <summary>Stores a conversation of the person with <paramref name="email"/> in their first workspace: one question, one answer.</summary>
    public static Task<Guid> ConversationAsync(ChatApp app, string email, string title, string answer, string question = "Show me some code.") =>
        ConversationAsync(app, email, title, app.LongAnswerModelId, [question, answer]);

    /// <summary>Stores a conversation with <paramref name="turns"/> (question, answer, question, ...) a second apart.</summary>
    public static Task<Guid> ConversationAsync(ChatApp app, string email, string title, Guid modelId, IReadOnlyList<string> turns) =>
        app.Factory.QueryAsync(async db =>
        {
            var cancel = TestContext.Current.CancellationToken;
            var user = await db.PortalUsers.SingleAsync(u => u.Email == email, cancel);
            var membership = await db.Memberships.OrderBy(m => m.CreatedAt).FirstAsync(m => m.UserId == user.Id, cancel);
            var workspace = await db.Workspaces.Where(w => w.TenantId == membership.TenantId).OrderBy(w => w.CreatedAt).FirstOrDefaultAsync(cancel)
                ?? db.Workspaces.Add(new Workspace { TenantId = membership.TenantId, Name = "General", CreatedAt = DateTimeOffset.UtcNow }).Entity;
            var now = DateTimeOffset.UtcNow;
            var conversation = new Conversation
            {
                TenantId = membership.TenantId,
                WorkspaceId = workspace.Id,
                OwnerUserId = user.Id,
                ModelEntryId = modelId,
                Title = title,
                CreatedAt = now,
                UpdatedAt = now,
            };
            for (var i = 0; i < turns.Count; i++)
            {
                var role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant;
                conversation.Messages.Add(new Message
                {
                    TenantId = membership.TenantId,
                    Role = role,
                    Content = turns[i],
                    CompletionTokens = role == MessageRole.Assistant ? 42 : 0,
                    CreatedAt = now.AddSeconds(i - turns.Count),
                });
            }

            db.Conversations.Add(conversation);
            await db.SaveChangesAsync(cancel);
            return conversation.Id;
        });
}
