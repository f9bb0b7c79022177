using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Accounting;
using Portal.Web.Admin;
using Portal.Web.Audit;

namespace Portal.Tests.Web.Quotas;

public sealed class QuotaAdministrationTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TenantAdmin_SetsLimits_SeesUsePerMember_AndTheChangeIsAudited()
    {
        var database = await databases.GetAsync(DatabaseProvider.Sqlite);
        var seeded = await SeededTenant.CreateAsync(database, "Limits");
        var admin = new AdminActor(Guid.NewGuid(), false, seeded.Id, true);
        await Administration(database, out var db).SetAsync(admin, seeded.Id, seeded.Owner.Id, new QuotaLimits(1_000, null, 5, null), null, Ct);
        await db.DisposeAsync();
        using (var instance = new AccountingInstance(database, time))
        {
            await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 40, 60, Ct);
        }

        var overview = await Administration(database, out db).OverviewAsync(admin, seeded.Id, Ct);
        await db.DisposeAsync();

        var member = Assert.Single(overview.Members);
        Assert.Equal((seeded.Owner.Id, 100L, 100L), (member.UserId, member.TokensToday, member.TokensThisMonth));
        Assert.Equal(new QuotaLimits(1_000, null, 5, null), member.Limits);
        Assert.Equal(100, overview.TokensToday);
        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        var audit = await reader.AuditEvents.SingleAsync(a => a.TenantId == seeded.Id && a.Action == "quota.changed", Ct);
        Assert.Equal((admin.UserId, $"user:{seeded.Owner.Id}", (string?)null), (audit.ActorUserId, audit.Target, audit.Before));
        Assert.Contains("\"tokensPerDay\":1000", audit.After, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminOfAnotherTenant_IsToldNotFound_AndNothingChanges()
    {
        var database = await databases.GetAsync(DatabaseProvider.Sqlite);
        var a = await SeededTenant.CreateAsync(database, "AdminA");
        var b = await SeededTenant.CreateAsync(database, "AdminB");
        var adminOfA = new AdminActor(Guid.NewGuid(), false, a.Id, true);

        var refused = await Assert.ThrowsAsync<AdminException>(() => Administration(database, out _).SetAsync(adminOfA, b.Id, null, new QuotaLimits(1, 1, 1, 1), null, Ct));
        var unseen = await Assert.ThrowsAsync<AdminException>(() => Administration(database, out _).OverviewAsync(adminOfA, b.Id, Ct));

        Assert.Equal("That tenant or member does not exist.", refused.Message);
        Assert.Equal(AdminFailure.NotFound, unseen.Failure);
        await using var reader = database.CreateContext(TenantScopes.For(b.Id));
        Assert.Empty(await reader.Quotas.ToListAsync(Ct));
    }

    [Fact]
    public async Task UnknownTimeZone_IsRefusedWithAMessage()
    {
        var database = await databases.GetAsync(DatabaseProvider.Sqlite);
        var seeded = await SeededTenant.CreateAsync(database, "Zones");
        var admin = new AdminActor(Guid.NewGuid(), false, seeded.Id, true);

        var refused = await Assert.ThrowsAsync<AdminException>(() => Administration(database, out _).SetAsync(admin, seeded.Id, null, new QuotaLimits(null, null, null, null), "Mars/Olympus", Ct));

        Assert.Equal("“Mars/Olympus” is not a time zone this server knows; use an IANA name such as Europe/Berlin.", refused.Message);
    }

    private QuotaAdministration Administration(TestDatabase database, out PortalDbContext db)
    {
        var tenantContext = new TenantContext();
        db = database.CreateContext(tenantContext);
        return new QuotaAdministration(db, tenantContext, new AuditLog(time), time);
    }
}
