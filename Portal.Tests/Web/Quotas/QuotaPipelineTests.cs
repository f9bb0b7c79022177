using Microsoft.EntityFrameworkCore;
using Portal.Domain.Quotas;
using Portal.Domain.Usage;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Policies;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Quotas;

/// <summary>The quota stage inside the one generation pipeline, through both doors, against the real portal and the tiny model.</summary>
public sealed class QuotaPipelineTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<Door> Doors => [Door.Hub, Door.Page];

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task OverQuota_IsRefusedBeforeAnyToken_SayingWhichLimitAndWhen_AndRecordedAsUsage(Door door)
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, null);
        await SetTenantQuotaAsync(tenant, new Quota { TokensPerDay = 5 });

        var seen = await PolicyDoors.SendAsync(door, app, tenant, "Hello there, how are you?");

        Assert.NotNull(seen.Notice); // (the hub's client prefixes SignalR's own words to the message)
        Assert.Contains("Not sent: your tenant's daily token limit (5 tokens) is reached; it resets at ", seen.Notice, StringComparison.Ordinal);
        Assert.Equal("", seen.Streamed);
        Assert.Empty(await app.Factory.QueryAsync(db => db.Messages.Where(m => m.ConversationId == tenant.ConversationId && m.Role == Portal.Domain.Chat.MessageRole.Assistant).ToListAsync(Cancel)));
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == tenant.ConversationId, Cancel));
        Assert.Equal((GenerationOutcome.RefusedByQuota, 0, 0), (usage.Outcome, usage.PromptTokens, usage.CompletionTokens));
        var rollup = await app.Factory.QueryAsync(db => db.UsageDailyRollups.SingleAsync(r => r.TenantId == tenant.TenantId, Cancel));
        Assert.Equal((1, 1, 0), (rollup.Requests, rollup.RefusedByQuota, rollup.Completed));
        Assert.Equal(0, await CountersAsync(tenant, "D"));
    }

    [Fact]
    public async Task AnsweredRequest_SettlesToTheTokensUsed_WithItsUsageRecordAndRollup()
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, null);
        await SetTenantQuotaAsync(tenant, new Quota { TokensPerDay = 100_000, ConcurrentGenerations = 1 });

        var seen = await PolicyDoors.SendAsync(Door.Hub, app, tenant, "Tell me about llamas.");

        Assert.Equal(GenerationState.Completed, seen.State);
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == tenant.ConversationId, Cancel));
        Assert.True(usage.CompletionTokens > 0);
        Assert.Equal(2L * (usage.PromptTokens + usage.CompletionTokens), await CountersAsync(tenant, "D")); // the tenant's counter and the person's
        Assert.Equal(0, await CountersAsync(tenant, "C"));
        Assert.Empty(await app.Factory.QueryAsync(db => db.QuotaHolds.Where(h => h.TenantId == tenant.TenantId).ToListAsync(Cancel)));
        var rollup = await app.Factory.QueryAsync(db => db.UsageDailyRollups.SingleAsync(r => r.TenantId == tenant.TenantId, Cancel));
        Assert.Equal((1L, 1L, (long)usage.PromptTokens, (long)usage.CompletionTokens, usage.Duration.Ticks), (rollup.Requests, rollup.Completed, rollup.PromptTokens, rollup.CompletionTokens, rollup.BusyTicks));
        Assert.Equal(usage.WorkspaceId, rollup.WorkspaceKey);
    }

    private Task<long> CountersAsync(PolicyTenant tenant, string windowPrefix) =>
        app.Factory.QueryAsync(db => db.QuotaCounters.Where(c => c.TenantId == tenant.TenantId && c.Window.StartsWith(windowPrefix)).SumAsync(c => c.Value, Cancel));

    private Task<int> SetTenantQuotaAsync(PolicyTenant tenant, Quota quota) =>
        app.Factory.QueryAsync(db =>
        {
            quota.TenantId = tenant.TenantId;
            db.Quotas.Add(quota);
            return db.SaveChangesAsync(Cancel);
        });
}
