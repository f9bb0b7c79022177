using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Audit;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Audit;

public sealed class AuditStorageTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task AuditEvents_GetIncreasingIds_PlatformEventsHaveNoTenant_AndTheChainSetsTheHashes(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenantId = Guid.NewGuid();
        var at = new DateTimeOffset(2026, 11, 22, 20, 0, 0, TimeSpan.Zero);
        var first = new AuditEvent { Action = "model.uploaded", Target = "model:abc", After = """{"name":"tiny"}""", OccurredAt = at };
        var second = new AuditEvent { TenantId = tenantId, ActorUserId = Guid.NewGuid(), Action = "signin.succeeded", OccurredAt = at.AddSeconds(1), PreviousHash = "00", Hash = "ff" };

        await using (var db = database.CreateContext(new TenantContext()))
        {
            db.AuditEvents.Add(first);
            await db.SaveChangesAsync(Ct);
            db.AuditEvents.Add(second);
            await db.SaveChangesAsync(Ct);
        }

        Assert.True(first.Id > 0);
        Assert.True(second.Id > first.Id);
        await using var reader = database.CreateContext(new TenantContext());
        var loaded = await reader.AuditEvents.Where(a => a.Id == first.Id || a.Id == second.Id).OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Null(loaded[0].TenantId);
        Assert.Equal("""{"name":"tiny"}""", loaded[0].After);
        Assert.Equal(tenantId, loaded[1].TenantId);
        Assert.Equal(AuditChains.Platform, loaded[0].ChainId);
        Assert.Equal(tenantId, loaded[1].ChainId);

        // Whatever a caller puts in the link fields, the chain writes its own.
        Assert.Equal("", loaded[1].PreviousHash);
        Assert.Equal(AuditEventCanonicalForm.ComputeHash(loaded[1]), loaded[1].Hash);
        Assert.Equal(at.AddSeconds(1), loaded[1].OccurredAt);
    }
}
