using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Quotas;

public sealed class QuotaLedgerTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    // 12:00 UTC on 30 November 2026.
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Reserve_200ParallelAgainstAQuotaForOne_AdmitsExactlyOne(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Flood");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, null, q => q.TokensPerDay = 100);
        using var instance = new AccountingInstance(database, time);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => TryReserveAsync(instance, seeded, 10, 90), Ct)));

        Assert.Single(outcomes, admitted => admitted);
        Assert.Equal(100, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));
        Assert.Equal(1, AccountingInstance.Holds(database, seeded.Id));
    }

    [Fact]
    public async Task Reserve_200ParallelThroughTwoInstancesSharingPostgreSql_AdmitsExactlyOne()
    {
        var database = await databases.GetAsync(DatabaseProvider.PostgreSql);
        var seeded = await SeededTenant.CreateAsync(database, "TwoInstances");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, seeded.Owner.Id, q => q.TokensPerMonth = 50);
        using var first = new AccountingInstance(database, time);
        using var second = new AccountingInstance(database, time);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => TryReserveAsync(i % 2 == 0 ? first : second, seeded, 20, 30), Ct)));

        Assert.Single(outcomes, admitted => admitted);
        Assert.Equal(50, AccountingInstance.Counter(database, seeded.Id, seeded.Owner.Id, "M2026-11"));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task SettleAndRelease_LeaveEveryCounterExact(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Settle");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, null, q => (q.TokensPerDay, q.ConcurrentGenerations) = (10_000, 5));
        using var instance = new AccountingInstance(database, time);

        var settled = await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 10, 500, Ct);
        var released = await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 7, 300, Ct);
        Assert.Equal(817, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));
        Assert.Equal(2, AccountingInstance.Counter(database, seeded.Id, seeded.Owner.Id, "C"));

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await instance.Ledger.SettleAsync(db, settled, 10 + 42, Ct);
            await transaction.CommitAsync(Ct);
        }

        await instance.Ledger.ReleaseAsync(released, Ct);

        foreach (var key in new[] { Guid.Empty, seeded.Owner.Id })
        {
            Assert.Equal(52, AccountingInstance.Counter(database, seeded.Id, key, "D2026-11-30"));
            Assert.Equal(52, AccountingInstance.Counter(database, seeded.Id, key, "M2026-11"));
            Assert.Equal(0, AccountingInstance.Counter(database, seeded.Id, key, "C"));
            Assert.Equal(2, AccountingInstance.Counter(database, seeded.Id, key, "R2026-11-30T12:00")); // requests are counted, not given back
        }

        Assert.Equal(0, AccountingInstance.Holds(database, seeded.Id));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ExpiredReservation_IsReleased_AndALateSettlementChargesOnlyWhatWasUsed(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Expiry");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, null, q => (q.TokensPerDay, q.ConcurrentGenerations) = (1_000, 1));
        using var instance = new AccountingInstance(database, time);
        var ticket = await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 100, 900, Ct);
        await Assert.ThrowsAsync<QuotaExceededException>(() => instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 1, 1, Ct));

        time.Advance(TimeSpan.FromMinutes(29));
        await instance.Ledger.ReleaseExpiredAsync(Ct);
        Assert.Equal(1_000, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));
        Assert.Equal(1, AccountingInstance.Holds(database, seeded.Id));

        time.Advance(TimeSpan.FromMinutes(2)); // past the 30-minute hold lifetime: its instance is taken to have crashed
        Assert.InRange(await instance.Ledger.ReleaseExpiredAsync(Ct), 1, int.MaxValue); // (other tests' abandoned holds in this database go too)
        Assert.Equal(0, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));
        Assert.Equal(0, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "C"));
        Assert.Equal(0, AccountingInstance.Holds(database, seeded.Id));

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await instance.Ledger.SettleAsync(db, ticket, 130, Ct);
            await transaction.CommitAsync(Ct);
        }

        Assert.Equal(130, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));
        Assert.Equal(0, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "C"));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Extend_TruesUpToWhatWasUsed_ReservesTheNextPassClamped_AndRefusesWhatDoesNotFit(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Extend");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, null, q => q.TokensPerDay = 1_000);
        using var instance = new AccountingInstance(database, time);

        // A draft reserved 10 + 500 and used 10 + 90; the review asks for 300 + 256, the revision for 450 + 500.
        var draft = await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 10, 500, Ct);
        var (review, reviewOutput) = await instance.Ledger.ExtendAsync(draft, 100, 300, 256, Ct);
        Assert.Equal((256, 656L), (reviewOutput, review.ReservedTokens));
        Assert.Equal(656, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));

        // The review used 300 + 40: 440 so far, so the revision's 450-token prompt leaves 110 of the 1,000 for its output.
        var (revision, revisionOutput) = await instance.Ledger.ExtendAsync(review, 440, 450, 500, Ct);
        Assert.Equal((110, 1_000L), (revisionOutput, revision.ReservedTokens));
        Assert.Equal(1_000, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));

        // A pass whose prompt alone does not fit is refused, naming the limit, and changes nothing.
        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => instance.Ledger.ExtendAsync(revision, 990, 20, 10, Ct));
        Assert.Equal(QuotaKind.TokensPerDay, refused.Limit.Kind);
        Assert.Equal(1_000, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await instance.Ledger.SettleAsync(db, revision, 990, Ct);
            await transaction.CommitAsync(Ct);
        }

        Assert.Equal(990, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "D2026-11-30"));
        Assert.Equal(990, AccountingInstance.Counter(database, seeded.Id, seeded.Owner.Id, "M2026-11"));
        Assert.Equal(0, AccountingInstance.Counter(database, seeded.Id, Guid.Empty, "C"));
        Assert.Equal(0, AccountingInstance.Holds(database, seeded.Id));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task MaxTokensAboveWhatIsLeft_IsClamped(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Clamp");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, null, q => q.TokensPerMonth = 600);
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, seeded.Owner.Id, q => q.TokensPerDay = 300);
        var midMonth = new FakeTimeProvider(new DateTimeOffset(2026, 11, 10, 12, 0, 0, TimeSpan.Zero));
        using var instance = new AccountingInstance(database, midMonth);

        var first = await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 30, 100_000, Ct);
        Assert.Equal(270, first.MaxOutputTokens); // the person's 300 a day, less the prompt

        midMonth.Advance(TimeSpan.FromDays(1));
        var second = await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 30, 100, Ct);
        Assert.Equal(100, second.MaxOutputTokens); // under every limit: as asked

        midMonth.Advance(TimeSpan.FromDays(1));
        var third = await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 30, 100_000, Ct);
        Assert.Equal(600 - 300 - 130 - 30, third.MaxOutputTokens); // now the tenant's month is the tighter limit
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Refusal_NamesTheLimit_AndWhenItResets_InTheTenantsTimeZone(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Zone");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, null, q => q.TimeZoneId = "Europe/Berlin");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, seeded.Owner.Id, q => q.TokensPerDay = 100);
        time.SetUtcNow(new DateTimeOffset(2026, 11, 30, 23, 30, 0, TimeSpan.Zero)); // already 1 December, 00:30, in Berlin
        using var instance = new AccountingInstance(database, time);

        await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 50, 50, Ct);
        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 1, 10, Ct));

        Assert.Equal("Not sent: your daily token limit (100 tokens) is reached; it resets at 2026-12-02 00:00 (Europe/Berlin).", refused.Message);
        Assert.Equal(100, AccountingInstance.Counter(database, seeded.Id, seeded.Owner.Id, "D2026-12-01"));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task RequestsPerMinute_RefusesTheThird_AndAdmitsAgainNextMinute(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Rate");
        await AccountingInstance.SetQuotaAsync(database, seeded.Id, null, q => q.RequestsPerMinute = 2);
        time.SetUtcNow(new DateTimeOffset(2026, 11, 30, 12, 0, 40, TimeSpan.Zero));
        using var instance = new AccountingInstance(database, time);

        await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 1, 1, Ct);
        await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 1, 1, Ct);
        var refused = await Assert.ThrowsAsync<QuotaExceededException>(() => instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 1, 1, Ct));
        Assert.Equal("Not sent: your tenant's limit of 2 requests per minute is reached; it resets at 2026-11-30 12:01 (UTC).", refused.Message);

        time.Advance(TimeSpan.FromSeconds(20));
        await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, 1, 1, Ct);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task AnotherTenantsQuota_IsNeitherReadNorCharged(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var a = await SeededTenant.CreateAsync(database, "QuotaA");
        var b = await SeededTenant.CreateAsync(database, "QuotaB");
        await AccountingInstance.SetQuotaAsync(database, a.Id, null, q => q.TokensPerDay = 10);
        using var instance = new AccountingInstance(database, time);

        await instance.Ledger.ReserveAsync(b.Id, b.Owner.Id, 500, 500, Ct); // A's limit is not B's
        Assert.Equal(0, AccountingInstance.Counter(database, a.Id, Guid.Empty, "D2026-11-30"));
        Assert.Equal(1_000, AccountingInstance.Counter(database, b.Id, Guid.Empty, "D2026-11-30"));
    }

    private static async Task<bool> TryReserveAsync(AccountingInstance instance, SeededTenant seeded, int prompt, int maxOutput)
    {
        try
        {
            await instance.Ledger.ReserveAsync(seeded.Id, seeded.Owner.Id, prompt, maxOutput, Ct);
            return true;
        }
        catch (QuotaExceededException)
        {
            return false;
        }
    }
}
