using Microsoft.EntityFrameworkCore;
using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Domain.Quotas;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Policies;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Quotas;

/// <summary>
/// A self-check runs up to three passes (draft, review, revision) for one answer. Each later pass is reserved
/// before it runs, so the passes together never take more than the quota: a quota that covers only the draft
/// says the check could not run, and an answer held until checked is then not shown unchecked.
/// </summary>
public sealed class SelfCheckQuotaTests(ChatApp app) : IClassFixture<ChatApp>
{
    private const string Prompt = "Tell me about llamas.";
    private const string Principles = "Be kind.\nCite a source.";

    /// <summary>Day windows' counters ("D" + the tenant's date).</summary>
    private static readonly string DayWindowPrefix = "D";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task QuotaThatCoversOnlyTheDraft_TheCheckDoesNotRun_AndTheQuotaIsNeverOverdrawn()
    {
        var draftTokens = await DraftTokensAsync();
        var limit = draftTokens + 5;
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy { Name = "Checked", Principles = Principles, SelfCheckEnabled = true });
        await SetTenantQuotaAsync(tenant, limit);

        var seen = await PolicyDoors.SendAsync(Door.Hub, app, tenant, Prompt);

        Assert.Equal(GenerationState.Completed, seen.State);
        Assert.Equal($"The self-check could not run: your tenant's daily token limit ({limit:N0} tokens) is reached.", seen.Error);
        Assert.Empty(seen.PolicyActions);
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == tenant.ConversationId, Cancel));
        Assert.Equal(draftTokens, usage.PromptTokens + usage.CompletionTokens);
        Assert.Equal(draftTokens, await TenantDayCounterAsync(tenant));
        Assert.Empty(await HoldsAsync(tenant));
    }

    [Fact]
    public async Task HeldUntilChecked_WhenTheCheckCannotRun_TheUncheckedAnswerIsNotShown()
    {
        var draftTokens = await DraftTokensAsync();
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy
        {
            Name = "Held",
            Principles = Principles,
            SelfCheckEnabled = true,
            SelfCheckStreaming = SelfCheckStreaming.HoldUntilChecked,
        });
        await SetTenantQuotaAsync(tenant, draftTokens + 5);

        var seen = await PolicyDoors.SendAsync(Door.Hub, app, tenant, Prompt);

        Assert.Equal(GenerationState.Failed, seen.State);
        Assert.Equal("", seen.Streamed);
        Assert.Equal("", seen.Content);
        Assert.NotNull(seen.Error);
        Assert.StartsWith("The self-check could not run: your tenant's daily token limit", seen.Error, StringComparison.Ordinal);
        Assert.EndsWith("The answer is not shown: this tenant's policy holds answers until they are checked.", seen.Error, StringComparison.Ordinal);
        var answer = await app.Factory.QueryAsync(db => db.Messages.SingleAsync(m => m.ConversationId == tenant.ConversationId && m.Role == MessageRole.Assistant, Cancel));
        Assert.Equal((MessageStatus.Failed, ""), (answer.Status, answer.Content));
        Assert.Null(answer.SelfCheckDraft);
        Assert.Equal(draftTokens, await TenantDayCounterAsync(tenant)); // the draft was produced, so it is charged
    }

    [Fact]
    public async Task AmpleQuota_EveryPassIsReservedAndSettled_ToTheTokensTheyUsed()
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy { Name = "Checked", Principles = Principles, SelfCheckEnabled = true });
        await SetTenantQuotaAsync(tenant, 1_000_000);

        var seen = await PolicyDoors.SendAsync(Door.Hub, app, tenant, Prompt);

        Assert.Equal(GenerationState.Completed, seen.State);
        Assert.Null(seen.Error);
        var answer = await app.Factory.QueryAsync(db => db.Messages.SingleAsync(m => m.ConversationId == tenant.ConversationId && m.Role == MessageRole.Assistant, Cancel));
        Assert.False(string.IsNullOrEmpty(answer.SelfCheckCritique), "the review pass did not run");
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == tenant.ConversationId, Cancel));
        Assert.True(usage.PromptTokens + usage.CompletionTokens > await DraftTokensAsync(), "the usage record does not include the review's tokens");
        Assert.Equal(usage.PromptTokens + usage.CompletionTokens, await TenantDayCounterAsync(tenant));
        Assert.Empty(await HoldsAsync(tenant));
    }

    /// <summary>
    /// The draft's tokens: the same principles without the self-check give the same first pass (greedy answers; the
    /// principles are in the system prompt either way), and that answer's usage is the draft alone.
    /// </summary>
    private async Task<long> DraftTokensAsync()
    {
        var probe = await PolicyDoors.NewTenantAsync(app, new TenantPolicy { Name = "Probe", Principles = Principles });
        var seen = await PolicyDoors.SendAsync(Door.Hub, app, probe, Prompt);
        Assert.Equal(GenerationState.Completed, seen.State);
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == probe.ConversationId, Cancel));
        return usage.PromptTokens + usage.CompletionTokens;
    }

    private Task<long> TenantDayCounterAsync(PolicyTenant tenant) =>
        app.Factory.QueryAsync(db => db.QuotaCounters
            .Where(c => c.TenantId == tenant.TenantId && c.UserKey == Guid.Empty && c.Window.StartsWith(DayWindowPrefix))
            .SumAsync(c => c.Value, Cancel));

    private Task<List<QuotaHold>> HoldsAsync(PolicyTenant tenant) =>
        app.Factory.QueryAsync(db => db.QuotaHolds.Where(h => h.TenantId == tenant.TenantId).ToListAsync(Cancel));

    private Task<int> SetTenantQuotaAsync(PolicyTenant tenant, long tokensPerDay) =>
        app.Factory.QueryAsync(db =>
        {
            db.Quotas.Add(new Quota { TenantId = tenant.TenantId, TokensPerDay = tokensPerDay });
            return db.SaveChangesAsync(Cancel);
        });
}
