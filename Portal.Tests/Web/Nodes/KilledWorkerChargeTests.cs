using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Chat;
using Portal.Domain.Quotas;
using Portal.Domain.Usage;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Policies;
using Portal.Web.Chat;
using Portal.Web.Models;
using Portal.Web.Nodes;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// The whole pipeline (chat hub, ChatGenerations, store, usage, quota) in worker mode: a worker killed with
/// -9 mid-answer ends the answer with the reason, keeps its text as far as it got, and charges what it produced.
/// </summary>
public sealed class KilledWorkerChargeTests(KilledWorkerChargeTests.WorkerChatApp app) : IClassFixture<KilledWorkerChargeTests.WorkerChatApp>
{
    private const int MaxAnswerTokens = 1024;

    /// <summary>Each decode step of the workers takes at least this long, so the answer is still running when its worker is killed.</summary>
    private const int StepMilliseconds = 20;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KillNineMidAnswer_EndsTheAnswerFailed_KeepingItsText_AndChargesTheQuotaForTheTokensProduced()
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, null, app.LongAnswerModelId);
        await app.Factory.QueryAsync(db =>
        {
            db.Quotas.Add(new Quota { TenantId = tenant.TenantId, TokensPerDay = 100_000 });
            return db.SaveChangesAsync(Cancel);
        });
        await using var hub = await tenant.Member.ConnectAsync();
        var recorder = new AnswerRecorder(hub);

        await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), tenant.ConversationId, "Tell me a long story.", Cancel);
        await recorder.FirstTokens;
        var workers = app.Factory.Services.GetRequiredService<LocalWorkers>();
        var (_, processId) = Assert.Single(workers.Processes, p => p.ModelId == ModelCatalog.EngineId(app.LongAnswerModelId));
        using (var worker = Process.GetProcessById(processId))
        {
            worker.Kill(); // SIGKILL, while the answer runs (each decode step takes at least StepMilliseconds)
        }

        var final = await recorder.Completed;

        Assert.Equal(GenerationState.Failed, final.State);
        Assert.Contains("The worker running this answer stopped", final.Error, StringComparison.Ordinal);
        Assert.Contains("signal 9 (SIGKILL)", final.Error, StringComparison.Ordinal);
        // Kept as far as it got: what streamed, plus what was still gathered for the next frame when the stream broke
        // off (the final frame carries the whole text).
        Assert.NotEqual("", recorder.Text);
        Assert.StartsWith(recorder.Text, final.Content, StringComparison.Ordinal);
        var answer = await app.Factory.QueryAsync(db => db.Messages.SingleAsync(m => m.ConversationId == tenant.ConversationId && m.Role == MessageRole.Assistant, Cancel));
        Assert.Equal((MessageStatus.Failed, final.Content), (answer.Status, answer.Content));

        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == tenant.ConversationId, Cancel));
        Assert.Equal(GenerationOutcome.Failed, usage.Outcome);
        Assert.InRange(usage.CompletionTokens, 1, MaxAnswerTokens - 1); // what was produced, not the whole answer
        Assert.True(usage.PromptTokens > 0);

        // Charged for what was produced: the tenant's day counter and the person's, each by the record's tokens.
        var dayWindows = "D";
        var charged = await app.Factory.QueryAsync(db => db.QuotaCounters.Where(c => c.TenantId == tenant.TenantId && c.Window.StartsWith(dayWindows)).SumAsync(c => c.Value, Cancel));
        Assert.Equal(2L * (usage.PromptTokens + usage.CompletionTokens), charged);
        Assert.Empty(await app.Factory.QueryAsync(db => db.QuotaHolds.Where(h => h.TenantId == tenant.TenantId).ToListAsync(Cancel)));
    }

    /// <summary>The chat fixture in the product's worker mode, with the "slow-decode" fault.</summary>
    public sealed class WorkerChatApp() : ChatApp(new Dictionary<string, string?>
    {
        ["Portal:Workers:Mode"] = "Processes",
        ["Portal:Workers:TestFault"] = $"slow-decode:{StepMilliseconds}",
        ["Portal:Workers:RestartDelaySeconds"] = "0.2",
        ["Portal:Chat:MaxAnswerTokens"] = MaxAnswerTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });
}
