using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Tenancy;

/// <summary>
/// The forbidden paths: a person working in tenant B goes after tenant A's conversation through the
/// DbContext in every way it offers. Runs on SQLite and on the real PostgreSQL.
/// </summary>
public sealed class TenantIsolationTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Read_OwnTenant_SeesOwnConversationOnly(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        await using var db = database.CreateContext(TenantScopes.For(a.Id));

        var own = await db.Conversations.Include(c => c.Messages).SingleAsync(c => c.Id == a.Conversation.Id, Ct);
        Assert.Equal(a.Conversation.Title, own.Title);
        Assert.Single(own.Messages);
        Assert.All(await db.Conversations.ToListAsync(Ct), c => Assert.Equal(a.Id, c.TenantId));
        Assert.DoesNotContain(await db.Conversations.Select(c => c.Id).ToListAsync(Ct), id => id == b.Conversation.Id);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Read_OtherTenantConversationById_ReturnsNothing(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        await using var db = database.CreateContext(TenantScopes.For(b.Id));

        Assert.Null(await db.Conversations.FindAsync([a.Conversation.Id], Ct));
        Assert.Null(await db.Conversations.FirstOrDefaultAsync(c => c.Id == a.Conversation.Id, Ct));
        Assert.Empty(await db.Messages.Where(m => m.ConversationId == a.Conversation.Id).ToListAsync(Ct));
        Assert.Null(await db.Workspaces.FirstOrDefaultAsync(w => w.Id == a.Workspace.Id, Ct));
        Assert.Empty(await db.Memberships.Where(m => m.TenantId == a.Id).ToListAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task BulkUpdateAndDelete_OtherTenantConversation_AffectNoRows(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        await using (var db = database.CreateContext(TenantScopes.For(b.Id)))
        {
            var updated = await db.Conversations
                .Where(c => c.Id == a.Conversation.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Title, "taken over"), Ct);
            var deletedMessages = await db.Messages.Where(m => m.ConversationId == a.Conversation.Id).ExecuteDeleteAsync(Ct);
            var deleted = await db.Conversations.Where(c => c.Id == a.Conversation.Id).ExecuteDeleteAsync(Ct);

            Assert.Equal(0, updated);
            Assert.Equal(0, deletedMessages);
            Assert.Equal(0, deleted);
        }

        await using var owner = database.CreateContext(TenantScopes.For(a.Id));
        var untouched = await owner.Conversations.Include(c => c.Messages).SingleAsync(c => c.Id == a.Conversation.Id, Ct);
        Assert.Equal(a.Conversation.Title, untouched.Title);
        Assert.Single(untouched.Messages);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task BulkUpdate_OwnTenantConversation_AffectsItsRow(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");

        await using var db = database.CreateContext(TenantScopes.For(a.Id));
        var updated = await db.Conversations
            .Where(c => c.Id == a.Conversation.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Title, "renamed"), Ct);

        Assert.Equal(1, updated);
        Assert.Equal("renamed", await db.Conversations.Where(c => c.Id == a.Conversation.Id).Select(c => c.Title).SingleAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Save_OtherTenantConversationAttachedInTenantB_ThrowsAndChangesNothing(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        await using (var db = database.CreateContext(TenantScopes.For(b.Id)))
        {
            // The entity did not come through a query (the filter would have hidden it): it is attached by hand.
            var stolen = new Conversation
            {
                Id = a.Conversation.Id,
                TenantId = a.Id,
                WorkspaceId = a.Workspace.Id,
                OwnerUserId = a.Owner.Id,
                Title = "taken over",
            };
            db.Conversations.Update(stolen);

            var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(Ct));
            Assert.Contains($"Conversation (Modified) of tenant {a.Id} while working in tenant {b.Id}", error.Message, StringComparison.Ordinal);

            db.ChangeTracker.Clear();
            db.Conversations.Remove(stolen);
            error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(Ct));
            Assert.Contains("Conversation (Deleted)", error.Message, StringComparison.Ordinal);
        }

        await using var owner = database.CreateContext(TenantScopes.For(a.Id));
        Assert.Equal(a.Conversation.Title, await owner.Conversations.Where(c => c.Id == a.Conversation.Id).Select(c => c.Title).SingleAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Save_OtherTenantRowsAttachedUnderOwnTenantId_ChangeNothing(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");
        var messageOfA = a.Conversation.Messages.Single();

        await using (var db = database.CreateContext(TenantScopes.For(b.Id)))
        {
            // Tenant A's ids, but claiming tenant B: the write guard sees "our" tenant, the database does not.
            var disguised = new Conversation { Id = a.Conversation.Id, TenantId = b.Id, WorkspaceId = b.Workspace.Id, OwnerUserId = b.Owner.Id, Title = "taken over" };
            db.Conversations.Update(disguised);
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync(Ct));

            db.ChangeTracker.Clear();
            db.Messages.Remove(new Message { Id = messageOfA.Id, TenantId = b.Id, ConversationId = b.Conversation.Id });
            await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => db.SaveChangesAsync(Ct));
        }

        await using var owner = database.CreateContext(TenantScopes.For(a.Id));
        var untouched = await owner.Conversations.Include(c => c.Messages).SingleAsync(c => c.Id == a.Conversation.Id, Ct);
        Assert.Equal(a.Conversation.Title, untouched.Title);
        Assert.Equal(messageOfA.Content, Assert.Single(untouched.Messages).Content);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Add_ConversationForOtherTenant_Throws(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        await using var db = database.CreateContext(TenantScopes.For(b.Id));
        db.Conversations.Add(new Conversation { TenantId = a.Id, WorkspaceId = a.Workspace.Id, OwnerUserId = b.Owner.Id, Title = "planted" });

        var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(Ct));
        Assert.Contains($"Conversation (Added) of tenant {a.Id} while working in tenant {b.Id}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Save_MembershipMovedToOtherTenant_Throws_EvenInPlatformScope(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        var tenantContext = TenantScopes.For(a.Id);
        await using var db = database.CreateContext(tenantContext);
        var membership = await db.Memberships.SingleAsync(m => m.UserId == a.Owner.Id, Ct);
        membership.TenantId = b.Id;

        var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(Ct));
        Assert.Equal($"A Membership cannot move from tenant {a.Id} to tenant {b.Id}.", error.Message);

        // Not even platform code moves data between tenants.
        using (tenantContext.BeginPlatformScope())
        {
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(Ct));
        }
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Save_ConversationMovedToOtherTenant_IsRefused(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        await using var db = database.CreateContext(TenantScopes.For(a.Id));
        var conversation = await db.Conversations.SingleAsync(c => c.Id == a.Conversation.Id, Ct);
        conversation.TenantId = b.Id;

        // A conversation's tenant is part of the key its messages point at, so EF Core itself refuses.
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
        Assert.Contains("'Conversation.TenantId' is part of a key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Add_MessageOfOwnTenantOnOtherTenantsConversation_RejectedByDatabase(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        await using (var db = database.CreateContext(TenantScopes.For(b.Id)))
        {
            db.Messages.Add(new Message { TenantId = b.Id, ConversationId = a.Conversation.Id, Role = MessageRole.User, Content = "planted" });

            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
        }

        await using var owner = database.CreateContext(TenantScopes.For(a.Id));
        Assert.Single(await owner.Messages.Where(m => m.ConversationId == a.Conversation.Id).ToListAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task NoTenantSet_ReadsNothingAndRefusesWrites(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");

        await using var db = database.CreateContext(new TenantContext());

        Assert.Null(await db.Conversations.FindAsync([a.Conversation.Id], Ct));
        Assert.Equal(0, await db.Conversations.CountAsync(Ct));
        Assert.Equal(0, await db.Messages.CountAsync(Ct));
        Assert.Equal(0, await db.Memberships.CountAsync(Ct));
        Assert.Equal(0, await db.Conversations.Where(c => c.Id == a.Conversation.Id).ExecuteDeleteAsync(Ct));

        db.Workspaces.Add(new Workspace { TenantId = a.Id, Name = "Nowhere" });
        var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(Ct));
        Assert.Equal("Cannot save a Workspace (Added): no tenant is set for this request.", error.Message);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task PlatformScope_ReadsAcrossTenants_UntilDisposed(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "Alpha");
        var b = await SeededTenant.CreateAsync(database, "Bravo");

        var tenantContext = TenantScopes.For(b.Id);
        await using var db = database.CreateContext(tenantContext);
        var wanted = new[] { a.Conversation.Id, b.Conversation.Id };

        using (tenantContext.BeginPlatformScope())
        {
            var seen = await db.Conversations.Where(c => wanted.Contains(c.Id)).Select(c => c.TenantId).ToListAsync(Ct);
            Assert.Equal(new[] { a.Id, b.Id }.Order(), seen.Order());
        }

        var afterScope = await db.Conversations.Where(c => wanted.Contains(c.Id)).Select(c => c.TenantId).ToListAsync(Ct);
        Assert.Equal([b.Id], afterScope);
    }

    [Fact]
    public async Task PlatformScope_EntityWithoutTenant_IsRefused()
    {
        var database = await databases.GetAsync(DatabaseProvider.Sqlite);
        var tenantContext = new TenantContext();
        await using var db = database.CreateContext(tenantContext);
        using var platform = tenantContext.BeginPlatformScope();
        db.Workspaces.Add(new Workspace { Name = "Forgot the tenant" });

        var error = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(Ct));

        Assert.Equal("Cannot save a Workspace that belongs to no tenant (TenantId is empty).", error.Message);
    }
}
