using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Chat;

public sealed class ChatStorageTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Conversation_WithMessages_RoundTripsInOrder(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Chat");
        var start = new DateTimeOffset(2026, 11, 22, 14, 0, 0, TimeSpan.FromHours(1)); // after the seeded message

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            var conversation = await db.Conversations.SingleAsync(c => c.Id == seeded.Conversation.Id, Ct);
            db.Messages.AddRange(
                new Message
                {
                    TenantId = seeded.Id,
                    ConversationId = conversation.Id,
                    Role = MessageRole.Assistant,
                    Content = "Second, but failed",
                    Status = MessageStatus.Failed,
                    Error = "The model ran out of context.",
                    PromptTokens = 12,
                    CompletionTokens = 0,
                    CreatedAt = start.AddMinutes(2),
                },
                new Message { TenantId = seeded.Id, ConversationId = conversation.Id, Role = MessageRole.System, Content = "First", CreatedAt = start });
            conversation.UpdatedAt = start.AddMinutes(2);
            await db.SaveChangesAsync(Ct);
        }

        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        var messages = await reader.Messages
            .Where(m => m.ConversationId == seeded.Conversation.Id && m.CreatedAt >= start)
            .OrderBy(m => m.CreatedAt)
            .ToListAsync(Ct);
        Assert.Equal(["First", "Second, but failed"], messages.Select(m => m.Content));
        Assert.Equal(MessageStatus.Failed, messages[1].Status);
        Assert.Equal(MessageRole.Assistant, messages[1].Role);
        Assert.Equal("The model ran out of context.", messages[1].Error);
        Assert.Equal(12, messages[1].PromptTokens);
        Assert.Equal(start.AddMinutes(2), messages[1].CreatedAt);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task MessageEnums_AreStoredAsTheirNames(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Enum");

        await using var db = database.CreateContext(TenantScopes.For(seeded.Id));
        var stored = await db.Database
            .SqlQuery<string>($"SELECT \"Role\" AS \"Value\" FROM \"Messages\" WHERE \"Content\" = {"Enum confidential"}")
            .ToListAsync(Ct);

        Assert.Equal(["User"], stored);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task DeleteConversation_RemovesItsMessages(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Gone");

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            var conversation = await db.Conversations.SingleAsync(c => c.Id == seeded.Conversation.Id, Ct);
            db.Conversations.Remove(conversation);
            await db.SaveChangesAsync(Ct);
        }

        var platform = new TenantContext();
        await using var reader = database.CreateContext(platform);
        using (platform.BeginPlatformScope())
        {
            Assert.False(await reader.Messages.AnyAsync(m => m.ConversationId == seeded.Conversation.Id, Ct));
        }
    }
}
