using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Chat;
using Portal.Domain.Usage;
using Portal.Inference.Gguf;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>Answers of the tiny test model streamed through the chat hub by a SignalR client, over Kestrel on loopback.</summary>
public sealed class ChatHubStreamingTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendMessage_TinyModel_StreamsWholeAnswerInOrderWithFigures()
    {
        var member = await app.NewMemberAsync();
        await using var hub = await member.ConnectAsync();
        var recorder = new AnswerRecorder(hub);
        var conversationId = await NewConversationAsync(hub);

        var started = await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Tell me about llamas.", Cancel);
        var final = await recorder.Completed;

        Assert.Equal(conversationId, started.ConversationId);
        Assert.NotNull(started.UserMessageId);
        Assert.Equal(GenerationState.Completed, final.State);
        Assert.NotEmpty(recorder.Frames);
        Assert.Equal(Enumerable.Range(1, recorder.Frames.Count), recorder.Frames.Select(f => f.Sequence));
        Assert.Equal(final.Content, recorder.Text);
        Assert.Equal(recorder.Frames.Count, final.Frames);
        Assert.True(final.CompletionTokens > 0);
        Assert.True(final.PromptTokens > 0);
        Assert.True(final.TimeToFirstTokenMs > 0);
        Assert.True(final.DurationMs >= final.TimeToFirstTokenMs);
        Assert.Contains(GenerationState.Streaming, recorder.States);
        TestContext.Current.SendDiagnosticMessage(
            $"tiny model through the hub: {final.CompletionTokens} tokens in {recorder.Frames.Count} frames, first token {final.TimeToFirstTokenMs:F1} ms, {final.TokensPerSecond:F0} tokens/s, finish {final.FinishReason}");

        var stored = await StoredAsync(conversationId);
        Assert.Collection(stored.Messages.OrderBy(m => m.CreatedAt),
            question => Assert.Equal(("Tell me about llamas.", MessageRole.User), (question.Content, question.Role)),
            answer =>
            {
                Assert.Equal((MessageRole.Assistant, MessageStatus.Complete), (answer.Role, answer.Status));
                Assert.Equal(final.Content, answer.Content);
                Assert.Equal(final.CompletionTokens, answer.CompletionTokens);
            });
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == conversationId, Cancel));
        Assert.Equal((member.User.Id, final.CompletionTokens, GenerationOutcome.Completed), (usage.UserId, usage.CompletionTokens, usage.Outcome));
        Assert.Equal(final.TokensPerSecond, usage.TokensPerSecond);
    }

    [Fact]
    public async Task Stop_MidStream_EndsStoppedAndKeepsPartialAnswer()
    {
        var member = await app.NewMemberAsync();
        await using var hub = await member.ConnectAsync();
        var recorder = new AnswerRecorder(hub);
        var conversationId = await NewConversationAsync(hub, app.LongAnswerModelId);

        await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Write a long story.", Cancel);
        await recorder.FirstTokens;
        var stopped = await hub.InvokeAsync<bool>(nameof(ChatHub.Stop), conversationId, Cancel);
        var final = await recorder.Completed;

        Assert.True(stopped);
        Assert.Equal(GenerationState.Stopped, final.State);
        Assert.Equal("Cancelled", final.FinishReason);
        Assert.Equal(final.Content, recorder.Text);
        Assert.True(final.CompletionTokens < 1024, $"stopped after {final.CompletionTokens} tokens");
        var answer = (await StoredAsync(conversationId)).Messages.Single(m => m.Role == MessageRole.Assistant);
        Assert.Equal(MessageStatus.Stopped, answer.Status);
        Assert.Equal(final.Content, answer.Content);
        Assert.NotEmpty(answer.Content);
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == conversationId, Cancel));
        Assert.Equal(GenerationOutcome.Stopped, usage.Outcome);
    }

    [Fact]
    public async Task ConnectionClosed_MidStream_CancelsGenerationAndFreesSlot()
    {
        var member = await app.NewMemberAsync();
        var hub = await member.ConnectAsync();
        var recorder = new AnswerRecorder(hub);
        var conversationId = await NewConversationAsync(hub, app.LongAnswerModelId);
        var modelId = (await StoredAsync(conversationId)).ModelEntryId!.Value;

        await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Write a long story.", Cancel);
        await recorder.FirstTokens;
        await hub.DisposeAsync();

        var answer = await WaitForAnswerAsync(conversationId);
        Assert.Equal(MessageStatus.Stopped, answer.Status);
        Assert.True(answer.CompletionTokens < 1024);
        Assert.False(app.Generations.IsGenerating(conversationId));
        Assert.False(app.Catalog.IsInUse(modelId));

        // The slot is free again: the next answer in the same conversation runs to its end.
        await using var again = await member.ConnectAsync();
        var next = new AnswerRecorder(again);
        await again.InvokeAsync<GenerationStarted>(nameof(ChatHub.Regenerate), conversationId, Cancel);
        var regenerated = await next.Completed;
        Assert.Equal((GenerationState.Completed, 1024), (regenerated.State, regenerated.CompletionTokens));
    }

    [Fact]
    public async Task SendMessage_Empty_RefusedWithReasonAndNothingStored()
    {
        var member = await app.NewMemberAsync();
        await using var hub = await member.ConnectAsync();
        var conversationId = await NewConversationAsync(hub);

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "   ", Cancel));

        Assert.Contains("Write a message first.", refused.Message, StringComparison.Ordinal);
        Assert.Empty((await StoredAsync(conversationId)).Messages);
    }

    [Fact]
    public async Task SendMessage_LongHistory_OldTurnsLeftOutAndSaid()
    {
        var member = await app.NewMemberAsync();
        await using var hub = await member.ConnectAsync();
        var conversationId = await NewConversationAsync(hub);
        // History far beyond the tiny model's 2048-token context (1024 kept for the answer).
        await app.Factory.QueryAsync(async db =>
        {
            var conversation = await db.Conversations.SingleAsync(c => c.Id == conversationId, Cancel);
            var at = DateTimeOffset.UtcNow.AddHours(-1);
            for (var i = 0; i < 40; i++)
            {
                db.Messages.Add(new Message { TenantId = conversation.TenantId, ConversationId = conversationId, Role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant, Content = string.Join(' ', Enumerable.Repeat($"turn {i} words", 20)), CreatedAt = at.AddSeconds(i) });
            }

            return await db.SaveChangesAsync(Cancel);
        });
        var recorder = new AnswerRecorder(hub);

        var started = await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "And now?", Cancel);
        var final = await recorder.Completed;

        Assert.True(started.OmittedMessages > 0);
        Assert.Equal(started.OmittedMessages, final.OmittedMessages);
        Assert.True(final.PromptTokens <= 1024, $"prompt of {final.PromptTokens} tokens");
    }

    /// <summary>A conversation with the embedded tiny model, or with <paramref name="modelId"/>.</summary>
    private static async Task<Guid> NewConversationAsync(HubConnection hub, Guid? modelId = null)
    {
        var workspace = (await hub.InvokeAsync<IReadOnlyList<WorkspaceView>>(nameof(ChatHub.ListWorkspaces), Cancel))[0];
        var models = await hub.InvokeAsync<IReadOnlyList<ModelChoice>>(nameof(ChatHub.ListModels), Cancel);
        var model = modelId is { } id ? models.Single(m => m.Id == id) : models.Single(m => m.Name.StartsWith(TestModels.TinyLlamaName, StringComparison.Ordinal));
        Assert.True(model.IsLoaded);
        return await hub.InvokeAsync<Guid>(nameof(ChatHub.CreateConversation), workspace.Id, model.Id, null, Cancel);
    }

    private Task<Conversation> StoredAsync(Guid conversationId) =>
        app.Factory.QueryAsync(db => db.Conversations.AsNoTracking().Include(c => c.Messages).SingleAsync(c => c.Id == conversationId, Cancel));

    /// <summary>Waits (bounded) for the answer to be stored: it is written once the engine has freed the slot.</summary>
    private async Task<Message> WaitForAnswerAsync(Guid conversationId)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var answer = (await StoredAsync(conversationId)).Messages.SingleOrDefault(m => m.Role == MessageRole.Assistant);
            if (answer is not null && !app.Generations.IsGenerating(conversationId))
            {
                return answer;
            }

            await Task.Delay(50, Cancel);
        }

        throw new TimeoutException("The answer was not stored within 30 seconds of the connection closing.");
    }
}
