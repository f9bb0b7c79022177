using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Admin;
using Portal.Web.Audit;
using Portal.Web.Policies;

namespace Portal.Tests.Data.Policies;

/// <summary>Legal hold: set by a tenant's admin or auditor, audited, and held to the caller's tenant.</summary>
public sealed class LegalHoldTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Auditor_SetsHold_Audited(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Held");
        using var host = Host(database);
        var auditor = new AdminActor(seeded.Owner.Id, false, seeded.Id, IsTenantAdmin: false);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PolicyAdministration>().SetLegalHoldAsync(auditor, mayHold: true, seeded.Conversation.Id, hold: true, Ct);
        }

        await using var db = database.CreateContext(TenantScopes.For(seeded.Id));
        var conversation = await db.Conversations.SingleAsync(c => c.Id == seeded.Conversation.Id, Ct);
        Assert.Equal((true, (Guid?)seeded.Owner.Id), (conversation.LegalHold, conversation.LegalHoldSetByUserId));
        Assert.Single(await db.AuditEvents.Where(a => a.TenantId == seeded.Id && a.Action == "conversation.legal_hold_set").ToListAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task AnotherTenantsConversation_IsNotFound_AndStaysUnheld(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var mine = await SeededTenant.CreateAsync(database, "Mine");
        var theirs = await SeededTenant.CreateAsync(database, "Theirs");
        using var host = Host(database);
        var admin = new AdminActor(mine.Owner.Id, false, mine.Id, IsTenantAdmin: true);

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var refused = await Assert.ThrowsAsync<AdminException>(() =>
                scope.ServiceProvider.GetRequiredService<PolicyAdministration>().SetLegalHoldAsync(admin, mayHold: true, theirs.Conversation.Id, hold: true, Ct));
            Assert.Equal(("Conversation not found.", AdminFailure.NotFound), (refused.Message, refused.Failure));
        }

        await using var db = database.CreateContext(TenantScopes.For(theirs.Id));
        Assert.False((await db.Conversations.SingleAsync(c => c.Id == theirs.Conversation.Id, Ct)).LegalHold);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task AMember_CannotSetHold(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Member");
        using var host = Host(database);
        await using var scope = host.Services.CreateAsyncScope();

        await Assert.ThrowsAsync<AdminException>(() => scope.ServiceProvider.GetRequiredService<PolicyAdministration>()
            .SetLegalHoldAsync(new AdminActor(seeded.Owner.Id, false, seeded.Id, IsTenantAdmin: false), mayHold: false, seeded.Conversation.Id, hold: true, Ct));
    }

    private static IHost Host(TestDatabase database)
    {
        var builder = PortalDataHost.CreateBuilder(AppContext.BaseDirectory, PortalDataHost.ConfigurationFor(database));
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddScoped<PolicyAdministration>();
        return builder.Build();
    }
}
