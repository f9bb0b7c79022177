using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Quotas;
using Portal.Domain.Usage;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Usage;

public sealed class UsageStorageTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task CreatedAt_WithDifferentOffsets_OrdersAndFiltersByInstant(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Usage");

        // Wall-clock order (07:30, 09:00, 10:00) is the reverse of instant order for two of them.
        var early = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.FromHours(2));   // 08:00Z
        var middle = new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);           // 09:00Z
        var late = new DateTimeOffset(2026, 11, 22, 7, 30, 0, TimeSpan.FromHours(-3));   // 10:30Z

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            db.UsageRecords.AddRange(Record(seeded, late, "late"), Record(seeded, early, "early"), Record(seeded, middle, "middle"));
            await db.SaveChangesAsync(Ct);
        }

        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        var ordered = await reader.UsageRecords.OrderBy(u => u.CreatedAt).Select(u => u.Node).ToListAsync(Ct);
        Assert.Equal(["early", "middle", "late"], ordered);

        var after = new DateTimeOffset(2026, 11, 22, 8, 30, 0, TimeSpan.Zero);
        var recent = await reader.UsageRecords.Where(u => u.CreatedAt > after).OrderBy(u => u.CreatedAt).ToListAsync(Ct);
        Assert.Equal(["middle", "late"], recent.Select(u => u.Node));
        Assert.Equal(late, recent[1].CreatedAt); // same instant; the offset is normalised to UTC
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Durations_RoundTripExactly_AndCompareInQueries(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Durations");
        var record = Record(seeded, DateTimeOffset.UnixEpoch, "durations");
        record.TimeToFirstToken = TimeSpan.FromTicks(1_234_567);
        record.Duration = TimeSpan.FromHours(30) + TimeSpan.FromTicks(7); // longer than a day on purpose
        record.Outcome = GenerationOutcome.Length;

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            db.UsageRecords.Add(record);
            await db.SaveChangesAsync(Ct);
        }

        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        var loaded = await reader.UsageRecords.SingleAsync(u => u.Duration > TimeSpan.FromDays(1), Ct);
        Assert.Equal(record.TimeToFirstToken, loaded.TimeToFirstToken);
        Assert.Equal(record.Duration, loaded.Duration);
        Assert.Equal(GenerationOutcome.Length, loaded.Outcome);
        Assert.Equal(record.TokensPerSecond, loaded.TokensPerSecond);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task QuotaCostSettingsAndCloudPrice_RoundTrip(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Costs");
        var costs = new CostSettings { Currency = "EUR" };
        var profile = new HardwareProfile { Name = $"profile-{Guid.NewGuid():N}", HardwarePrice = 12_345.67m, LifetimeYears = 4, PowerWatts = 450.5m, ElectricityPricePerKwh = 0.287654m, Utilisation = 0.35m };
        var node = new NodeHardwareProfile { Node = $"node-{Guid.NewGuid():N}"[..30], HardwareProfileId = profile.Id };
        var price = new CloudPrice { Name = $"cloud-{Guid.NewGuid():N}", InputPerMillionTokens = 2.5m, OutputPerMillionTokens = 10m };
        var quota = new Quota { TenantId = seeded.Id, UserId = seeded.Owner.Id, TokensPerDay = 100_000, RequestsPerMinute = 20 };

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            db.AddRange(costs, profile, node, price, quota);
            await db.SaveChangesAsync(Ct);
        }

        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        var loadedCosts = await reader.CostSettings.SingleAsync(c => c.Id == costs.Id, Ct);
        Assert.Equal("EUR", loadedCosts.Currency);
        var loadedProfile = await reader.HardwareProfiles.SingleAsync(p => p.Id == profile.Id, Ct);
        Assert.Equal(profile.HardwarePrice, loadedProfile.HardwarePrice);
        Assert.Equal(profile.ElectricityPricePerKwh, loadedProfile.ElectricityPricePerKwh);
        Assert.Equal(profile.Utilisation, loadedProfile.Utilisation);
        Assert.Equal(profile.Id, (await reader.NodeHardwareProfiles.SingleAsync(n => n.Node == node.Node, Ct)).HardwareProfileId);
        Assert.Equal(10m, (await reader.CloudPrices.SingleAsync(p => p.Name == price.Name, Ct)).OutputPerMillionTokens);
        var loadedQuota = await reader.Quotas.SingleAsync(q => q.UserId == seeded.Owner.Id, Ct);
        Assert.Equal(100_000, loadedQuota.TokensPerDay);
        Assert.Null(loadedQuota.TokensPerMonth);
        Assert.Equal(20, loadedQuota.RequestsPerMinute);
    }

    private static UsageRecord Record(SeededTenant seeded, DateTimeOffset createdAt, string node) => new()
    {
        TenantId = seeded.Id,
        UserId = seeded.Owner.Id,
        ModelEntryId = Guid.NewGuid(),
        ConversationId = seeded.Conversation.Id,
        PromptTokens = 10,
        CompletionTokens = 20,
        TokensPerSecond = 42.125,
        Node = node,
        Outcome = GenerationOutcome.Completed,
        CreatedAt = createdAt,
    };
}
