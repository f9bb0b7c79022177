using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Audit;
using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Domain.Usage;
using Portal.Tests.Web.Chat;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Policies;

/// <summary>
/// Every rule of the generation pipeline, run through both doors a person uses (the chat hub and the
/// chat page) against the real portal and the tiny model: each policy action shows in the
/// conversation with the policy's name and version, and is in the audit log.
/// </summary>
public sealed class PolicyPipelineTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<Door> Doors => [Door.Hub, Door.Page];

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task InputRule_RefusesThePrompt_NamingPolicyAndRule(Door door)
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy
        {
            Name = "Acme rules",
            InputRules = [new PolicyRule("codenames", PolicyRuleKind.Word, "falcon")],
        });

        var seen = await PolicyDoors.SendAsync(door, app, tenant, "What does Project FALCON cost?");

        Assert.Equal(GenerationState.Refused, seen.State);
        Assert.Equal(["Refused: the prompt breaks rule “codenames” (Acme rules v1)"], seen.PolicyActions);
        Assert.Empty(seen.QuestionActions!); // shown once, with the answer it replaced
        var messages = await MessagesAsync(tenant);
        Assert.Equal([(MessageRole.User, MessageStatus.Complete), (MessageRole.Assistant, MessageStatus.Refused)], messages.Select(m => (m.Role, m.Status)));
        Assert.Equal(1, messages[1].PolicyVersion);
        Assert.Equal(PolicyActionKind.Refused, Assert.Single(messages[1].PolicyActions).Kind);
        var audit = Assert.Single(await AuditAsync(tenant, "policy.refused"));
        Assert.Contains("codenames", audit.After, StringComparison.Ordinal);
        Assert.Contains("\"version\":1", audit.After, StringComparison.Ordinal);
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == tenant.ConversationId, Cancel));
        Assert.Equal((GenerationOutcome.Refused, 0, messages[1].Id), (usage.Outcome, usage.CompletionTokens, usage.MessageId));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task PersonalData_IsRedactedBeforeTheModelAndStorage_AndTheKindIsShown(Door door)
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy { Name = "Privacy", RedactPii = true });

        var seen = await PolicyDoors.SendAsync(door, app, tenant, "Write to jane@example.com about card 4111 1111 1111 1111.");

        Assert.Equal(GenerationState.Completed, seen.State);
        Assert.Equal("Write to [e-mail] about card [payment card].", seen.Question);
        Assert.Equal(["Redacted before the model: payment card, e-mail (Privacy v1)"], seen.QuestionActions);
        var question = (await MessagesAsync(tenant))[0];
        Assert.Equal("Write to [e-mail] about card [payment card].", question.Content);
        Assert.Equal(PolicyActionKind.Redacted, Assert.Single(question.PolicyActions).Kind);
        var audit = Assert.Single(await AuditAsync(tenant, "policy.redacted"));
        Assert.DoesNotContain("jane@", audit.After, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task OutputRule_HoldsBackAPhraseTheModelWrites_SoNoClientSeesIt(Door door)
    {
        // The tiny model answers greedily: the same prompt without a system prompt gets the same
        // answer, so a phrase from a first answer is one the second answer will write.
        const string Prompt = "Tell me about llamas.";
        var probe = await PolicyDoors.NewTenantAsync(app, null);
        var first = await PolicyDoors.SendAsync(Door.Hub, app, probe, Prompt);
        TestContext.Current.SendDiagnosticMessage($"probe answer: '{first.Content}'");
        var phrase = first.Content.Trim()[..Math.Min(12, first.Content.Trim().Length)];
        Assert.True(phrase.Length >= 4, $"the tiny model's answer was too short: '{first.Content}'");
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy
        {
            Name = "Output",
            OutputRules = [new PolicyRule("probe phrase", PolicyRuleKind.Phrase, phrase)],
        });

        var seen = await PolicyDoors.SendAsync(door, app, tenant, Prompt);

        Assert.DoesNotContain(phrase, seen.Streamed, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(phrase, seen.Content, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("[held back]", seen.Content, StringComparison.Ordinal);
        Assert.Equal(["Held back from the answer: text matching rule “probe phrase” (Output v1)"], seen.PolicyActions);
        var answer = (await MessagesAsync(tenant))[1];
        Assert.DoesNotContain(phrase, answer.Content, StringComparison.OrdinalIgnoreCase);
        Assert.Single(await AuditAsync(tenant, "policy.held_back"));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task ModelNotAllowed_RefusesInTheConversation(Door door)
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy { Name = "Models", AllowedModelIds = [app.LongAnswerModelId] });

        var seen = await PolicyDoors.SendAsync(door, app, tenant, "Hello?");

        Assert.Equal(GenerationState.Refused, seen.State);
        var action = Assert.Single(seen.PolicyActions);
        Assert.StartsWith("Model not allowed: the model “portal-tiny-llama", action, StringComparison.Ordinal);
        Assert.EndsWith("(Models v1)", action, StringComparison.Ordinal);
        Assert.Single(await AuditAsync(tenant, "policy.model_not_allowed"));
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task SelfCheck_RunsTheReview_StoresDraftAndCritique_AndMarksARevision(Door door)
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy
        {
            Name = "Constitution",
            Principles = "Be kind.\nCite a source.",
            SelfCheckEnabled = true,
        });

        var seen = await PolicyDoors.SendAsync(door, app, tenant, "Tell me about llamas.");

        Assert.Equal(GenerationState.Completed, seen.State);
        var answer = (await MessagesAsync(tenant))[1];
        Assert.NotNull(answer.SelfCheckDraft);
        Assert.False(string.IsNullOrEmpty(answer.SelfCheckCritique), "the review pass did not run");
        var finding = PolicyPrompt.ReviewFinding(answer.SelfCheckCritique!, 2);
        Assert.Equal(finding, answer.RevisedUnderPrinciple);

        // The tiny model's review is noise, never a clear "OK", so the revision pass runs (greedy: every time).
        var principle = Assert.NotNull(finding);
        var marker = principle > 0 ? $"under principle {principle}" : "under the principles (the review named no single one)";
        Assert.Equal([$"Revised {marker} (Constitution v1)"], seen.PolicyActions);
        Assert.Single(await AuditAsync(tenant, "policy.revised"));
        Assert.NotEqual(answer.SelfCheckDraft, answer.Content);
        Assert.True(seen.ShowsSelfCheck, "the draft and the review are not offered to the person");

        TestContext.Current.SendDiagnosticMessage($"self-check through {door}: finding {finding?.ToString() ?? "none"}; critique '{answer.SelfCheckCritique}'");
    }

    [Fact]
    public async Task SelfCheck_HoldUntilChecked_TheAnswerArrivesOnlyAfterTheCheck()
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy
        {
            Name = "Held",
            Principles = "Be kind.",
            SelfCheckEnabled = true,
            SelfCheckStreaming = SelfCheckStreaming.HoldUntilChecked,
        });
        await using var hub = await tenant.Member.ConnectAsync();
        var recorder = new AnswerRecorder(hub);

        var started = await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), tenant.ConversationId, "Tell me about llamas.", Cancel);
        var final = await recorder.Completed;

        Assert.Equal("hold-until-checked", started.SelfCheck);
        Assert.Contains(GenerationState.Checking, recorder.States);
        Assert.True(recorder.Frames.Count <= 1, $"{recorder.Frames.Count} frames: the draft was streamed");
        Assert.Equal(final.Content, recorder.Text);
        Assert.NotNull(final.Critique);
    }

    [Fact]
    public async Task PiiPatternThatRunsOutOfTime_RefusesThePrompt_AndStoresNoneOfIt()
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy { Name = "Slow", CustomPiiPatterns = [new PiiPattern("slow", "(a+)+$")] });

        var seen = await PolicyDoors.SendAsync(Door.Hub, app, tenant, new string('a', 40) + "b");

        Assert.Equal(GenerationState.Refused, seen.State);
        Assert.Equal(["Refused: a redaction pattern could not be checked in time, so the prompt is refused (Slow v1)"], seen.PolicyActions);
        Assert.DoesNotContain("aaaa", (await MessagesAsync(tenant))[0].Content, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task StorageOff_NothingIsStored_UsageStillRecorded(Door door)
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, new TenantPolicy { Name = "Ephemeral", StorePrompts = false });

        var seen = await PolicyDoors.SendAsync(door, app, tenant, "Tell me about llamas.");

        Assert.Equal(GenerationState.Completed, seen.State);
        Assert.Equal(["Not stored: this tenant does not store prompts and answers (Ephemeral v1)"], seen.PolicyActions);
        Assert.Empty(await MessagesAsync(tenant));
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == tenant.ConversationId, Cancel));
        Assert.Null(usage.MessageId);
        Assert.True(usage.CompletionTokens > 0);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task AccessEnded_IsRefusedByThePipeline_NothingStored(Door door)
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, null);

        // Disabled after the door opened: the connection or page was admitted; the pipeline reads access again.
        var seen = await PolicyDoors.SendAsync(door, app, tenant, "Hello?", () => app.Factory.QueryAsync(async db =>
        {
            var membership = await db.Memberships.SingleAsync(m => m.UserId == tenant.Member.User.Id, Cancel);
            membership.IsDisabled = true;
            return await db.SaveChangesAsync(Cancel);
        }));

        Assert.Equal(door == Door.Hub ? PolicyDoors.ConnectionClosed : "Your access to chat in this tenant has ended.", seen.Notice);
        Assert.Empty(await MessagesAsync(tenant));
    }

    [Fact]
    public async Task UsageRecord_IsTiedToItsAnswer()
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, null);

        await PolicyDoors.SendAsync(Door.Hub, app, tenant, "Hello there.");

        var answer = (await MessagesAsync(tenant))[1];
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == tenant.ConversationId, Cancel));
        Assert.Equal(answer.Id, usage.MessageId);
    }

    private Task<List<Message>> MessagesAsync(PolicyTenant tenant) =>
        app.Factory.QueryAsync(async db => (await db.Messages.Where(m => m.ConversationId == tenant.ConversationId).ToListAsync(Cancel))
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Role).ToList());

    private Task<List<AuditEvent>> AuditAsync(PolicyTenant tenant, string action) =>
        app.Factory.QueryAsync(db => db.AuditEvents.Where(a => a.TenantId == tenant.TenantId && a.Action == action).ToListAsync(Cancel));
}
