using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Domain.Audit;
using Portal.Domain.Chat;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Audit;
using static Portal.Tests.Data.Audit.AuditChainTesting;

namespace Portal.Tests.Data.Audit;

/// <summary>Appending to the hash chains: numbering, links, hashes and heads, alone and concurrently.</summary>
public sealed class AuditChainTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Append_EachTenantAndThePlatformGetTheirOwnLinkedChain(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenantA = Guid.NewGuid();
        var tenantB = Guid.NewGuid();
        var log = NewLog();

        await using (var db = database.CreateContext(new TenantContext()))
        {
            // One save holding entries of three chains, then more saves.
            log.Add(db, new AuditEntry("a.first", null, null, TenantId: tenantA));
            log.Add(db, new AuditEntry("b.first", null, null, TenantId: tenantB));
            log.Add(db, new AuditEntry("a.second", null, null, TenantId: tenantA));
            await db.SaveChangesAsync(Ct);
            await log.RecordAsync(db, new AuditEntry("a.third", null, "x", After: new { Value = 3 }, TenantId: tenantA), Ct);
        }

        var chainA = await ChainAsync(database, tenantA);
        Assert.Equal([1L, 2L, 3L], chainA.Select(e => e.Sequence!.Value));
        Assert.Equal("", chainA[0].PreviousHash);
        for (var i = 0; i < chainA.Count; i++)
        {
            Assert.Equal(AuditEventCanonicalForm.ComputeHash(chainA[i]), chainA[i].Hash);
            Assert.Equal(64, chainA[i].Hash!.Length);
            if (i > 0)
            {
                Assert.Equal(chainA[i - 1].Hash, chainA[i].PreviousHash);
            }
        }

        var chainB = Assert.Single(await ChainAsync(database, tenantB));
        Assert.Equal(1, chainB.Sequence);
        await using var reader = database.CreateContext(new TenantContext());
        var headA = await reader.AuditChainHeads.SingleAsync(h => h.ChainId == tenantA, Ct);
        Assert.Equal(3, headA.Sequence);
        Assert.Equal(chainA[^1].Hash, headA.Hash);
        Assert.True((await VerifyAsync(database, tenantA)).IsIntact);
        Assert.True((await VerifyAsync(database, tenantB)).IsIntact);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Append_TimestampSurvivesTheRoundTripTheHashWasTakenOver(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();

        // The clock has sub-microsecond ticks, which PostgreSQL would drop: the hash must not cover them.
        var written = Assert.Single(await AppendAsync(database, tenant, 1));

        var stored = Assert.Single(await ChainAsync(database, tenant));
        Assert.Equal(written.OccurredAt, stored.OccurredAt);
        Assert.Equal(0, stored.OccurredAt.UtcTicks % TimeSpan.TicksPerMicrosecond);
        Assert.Equal(stored.Hash, AuditEventCanonicalForm.ComputeHash(stored));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Append_JoinsTheCallersUnitOfWork_NothingWrittenWhenTheSaveFails(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        var other = Guid.NewGuid();
        var log = NewLog();
        await using var db = database.CreateContext(TenantScopes.For(tenant));

        // A change the tenant guard refuses travels with the entry: neither is written.
        db.Workspaces.Add(new Workspace { TenantId = other, Name = "not mine", CreatedAt = DateTimeOffset.UtcNow });
        log.Add(db, new AuditEntry("workspace.created", null, null, TenantId: tenant));
        await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync(Ct));

        Assert.Empty(await ChainAsync(database, tenant));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Append_InsideAnExplicitTransaction_RolledBackLeavesTheChainAsItWas(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        await AppendAsync(database, tenant, 1);
        var log = NewLog();

        await using (var db = database.CreateContext(new TenantContext()))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await log.RecordAsync(db, new AuditEntry("rolled.back", null, null, TenantId: tenant), Ct);
            await transaction.RollbackAsync(Ct);
        }

        await AppendAsync(database, tenant, 1, "after.rollback");
        var chain = await ChainAsync(database, tenant);
        Assert.Equal(["test.action", "after.rollback"], chain.Select(e => e.Action));
        Assert.Equal([1L, 2L], chain.Select(e => e.Sequence!.Value));
        Assert.True((await VerifyAsync(database, tenant)).IsIntact);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Save_ChangedOrDeletedEntry_RefusedAsAppendOnly(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        await AppendAsync(database, tenant, 1);
        await using var db = database.CreateContext(new TenantContext());
        var entry = await db.AuditEvents.SingleAsync(e => e.ChainId == tenant, Ct);

        entry.Action = "rewritten";
        var changed = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
        db.Entry(entry).State = EntityState.Deleted;
        var deleted = await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));

        Assert.Contains("append-only", changed.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", deleted.Message, StringComparison.Ordinal);
        Assert.Equal("test.action", Assert.Single(await ChainAsync(database, tenant)).Action);
    }

    /// <summary>
    /// Two portal instances (two hosts, each with its own service provider and connections) and two
    /// contexts in each, appending to the same tenant's chain and the platform's at the same moment.
    /// </summary>
    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ConcurrentAppends_FromTwoInstances_KeepOneUnforkedChain(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        const int writers = 4;
        const int entriesPerWriter = 15;
        using var first = PortalDataHost.CreateBuilder(AppContext.BaseDirectory, PortalDataHost.ConfigurationFor(database)).Build();
        using var second = PortalDataHost.CreateBuilder(AppContext.BaseDirectory, PortalDataHost.ConfigurationFor(database)).Build();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var tasks = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            var host = writer % 2 == 0 ? first : second;
            var log = NewLog();
            await start.Task;
            for (var i = 0; i < entriesPerWriter; i++)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
                log.Add(db, new AuditEntry("concurrent.tenant", null, $"writer:{writer}:{i}", TenantId: tenant));
                if (i % 3 == 0)
                {
                    log.Add(db, new AuditEntry("concurrent.platform", null, $"writer:{writer}:{i}"));
                }

                await db.SaveChangesAsync(Ct);
            }
        }, Ct)).ToList();
        start.SetResult();
        await Task.WhenAll(tasks);

        var chain = await ChainAsync(database, tenant);
        Assert.Equal(writers * entriesPerWriter, chain.Count);
        Assert.Equal(Enumerable.Range(1, chain.Count).Select(i => (long)i), chain.Select(e => e.Sequence!.Value));
        Assert.Equal(writers * entriesPerWriter, chain.Select(e => e.Target).Distinct().Count());
        var tenantReport = await VerifyAsync(database, tenant);
        Assert.True(tenantReport.IsIntact, tenantReport.FirstBreak?.Description);
        Assert.Equal(chain.Count, tenantReport.EntriesChecked);
        var platformReport = await VerifyAsync(database, AuditChains.Platform);
        Assert.True(platformReport.IsIntact, platformReport.FirstBreak?.Description);
    }
}
