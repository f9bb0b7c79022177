using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Domain.Usage;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Audit;
using Portal.Web.Policies;

namespace Portal.Tests.Data.Policies;

/// <summary>The retention job on a fake clock, against every database the machine has.</summary>
public sealed class RetentionTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Retention_OldConversationsGo_HeldAndRecentStay_AuditCountsPerTenant(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var seeded = await SeededTenant.CreateAsync(database, "Retained");
        var other = await SeededTenant.CreateAsync(database, "Untouched"); // no retention: keeps everything
        Guid oldId, heldId, recentId;
        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            db.TenantPolicies.Add(new TenantPolicy { TenantId = seeded.Id, Name = "Keep 30 days", Version = 1, RetentionDays = 30 });
            oldId = Add(db, seeded, "old", clock.GetUtcNow().AddDays(-31), hold: false);
            heldId = Add(db, seeded, "held", clock.GetUtcNow().AddDays(-400), hold: true);
            recentId = Add(db, seeded, "recent", clock.GetUtcNow().AddDays(-29), hold: false);
            db.UsageRecords.Add(new UsageRecord { TenantId = seeded.Id, UserId = seeded.Owner.Id, ModelEntryId = Guid.NewGuid(), ConversationId = oldId, CreatedAt = clock.GetUtcNow().AddDays(-31) });
            await db.SaveChangesAsync(Ct);
        }

        using var host = Host(database, clock);
        var results = await host.Services.GetRequiredService<RetentionJob>().RunOnceAsync(Ct);

        var result = Assert.Single(results, r => r.TenantId == seeded.Id); // other tests' tenants share the database
        // The seeded conversation (updated 2026-11-22) is younger than 30 days and stays too.
        Assert.Equal((seeded.Id, "Keep 30 days v1", 1, 2, 1), (result.TenantId, result.PolicyLabel, result.Conversations, result.Messages, result.KeptUnderHold));
        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        var left = await reader.Conversations.Select(c => c.Id).ToListAsync(Ct);
        Assert.DoesNotContain(oldId, left);
        Assert.Contains(heldId, left);
        Assert.Contains(recentId, left);
        Assert.Empty(await reader.Messages.Where(m => m.ConversationId == oldId).ToListAsync(Ct));
        Assert.Single(await reader.UsageRecords.Where(u => u.ConversationId == oldId).ToListAsync(Ct)); // the accounts stay
        var audit = Assert.Single(await reader.AuditEvents.Where(a => a.TenantId == seeded.Id && a.Action == "retention.deleted").ToListAsync(Ct));
        Assert.Contains("\"conversations\":1", audit.After, StringComparison.Ordinal);
        Assert.Contains("\"keptUnderHold\":1", audit.After, StringComparison.Ordinal);
        await using var otherReader = database.CreateContext(TenantScopes.For(other.Id));
        Assert.Equal(1, await otherReader.Conversations.CountAsync(Ct));

        // A day later the recent one is old too; the held one still stays.
        clock.Advance(TimeSpan.FromDays(2));
        var second = Assert.Single(await host.Services.GetRequiredService<RetentionJob>().RunOnceAsync(Ct), r => r.TenantId == seeded.Id);
        Assert.Equal((1, 1), (second.Conversations, second.KeptUnderHold));
        await using var after = database.CreateContext(TenantScopes.For(seeded.Id));
        Assert.Equal(new[] { heldId, seeded.Conversation.Id }.Order(), (await after.Conversations.Select(c => c.Id).ToListAsync(Ct)).Order());
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Retention_TheCurrentVersionDecides(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var seeded = await SeededTenant.CreateAsync(database, "Versions");
        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            db.TenantPolicies.Add(new TenantPolicy { TenantId = seeded.Id, Name = "P", Version = 1, RetentionDays = 1 });
            db.TenantPolicies.Add(new TenantPolicy { TenantId = seeded.Id, Name = "P", Version = 2, RetentionDays = null });
            Add(db, seeded, "old", clock.GetUtcNow().AddDays(-10), hold: false);
            await db.SaveChangesAsync(Ct);
        }

        using var host = Host(database, clock);
        var results = await host.Services.GetRequiredService<RetentionJob>().RunOnceAsync(Ct);

        Assert.DoesNotContain(results, r => r.TenantId == seeded.Id);
        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        Assert.Equal(2, await reader.Conversations.CountAsync(Ct));
    }

    private static Guid Add(PortalDbContext db, SeededTenant seeded, string title, DateTimeOffset updatedAt, bool hold)
    {
        var conversation = new Conversation
        {
            TenantId = seeded.Id, WorkspaceId = seeded.Workspace.Id, OwnerUserId = seeded.Owner.Id, Title = title,
            CreatedAt = updatedAt, UpdatedAt = updatedAt, LegalHold = hold,
        };
        conversation.Messages.Add(new Message { TenantId = seeded.Id, ConversationId = conversation.Id, Role = MessageRole.User, Content = title, CreatedAt = updatedAt });
        conversation.Messages.Add(new Message { TenantId = seeded.Id, ConversationId = conversation.Id, Role = MessageRole.Assistant, Content = "answer", CreatedAt = updatedAt });
        db.Conversations.Add(conversation);
        return conversation.Id;
    }

    private static IHost Host(TestDatabase database, TimeProvider clock)
    {
        var builder = PortalDataHost.CreateBuilder(AppContext.BaseDirectory, PortalDataHost.ConfigurationFor(database));
        builder.Services.AddSingleton(clock);
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<RetentionJob>();
        builder.Services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        return builder.Build();
    }
}
