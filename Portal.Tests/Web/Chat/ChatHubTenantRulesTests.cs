using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>Another tenant's or another person's ids on every hub method: "not found", nothing changed.</summary>
public sealed class ChatHubTenantRulesTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> Intruders => ["same tenant, other person", "other tenant"];

    [Theory]
    [MemberData(nameof(Intruders))]
    public async Task EveryMethod_ForeignConversation_NotFoundAndNothingChanged(string intruderKind)
    {
        var (owner, conversationId, workspaceId) = await OwnerWithAnswerAsync();
        var before = await SnapshotAsync(conversationId);
        var intruder = await app.NewMemberAsync(intruderKind == "other tenant" ? $"Other {Guid.NewGuid():N}" : "Default");
        await using var hub = await intruder.ConnectAsync();

        foreach (var call in new Func<Task>[]
        {
            () => hub.InvokeAsync<ConversationView>(nameof(ChatHub.GetConversation), conversationId, Cancel),
            () => hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Hijack", Cancel),
            () => hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.Regenerate), conversationId, Cancel),
            () => hub.InvokeAsync<bool>(nameof(ChatHub.Stop), conversationId, Cancel),
            () => hub.InvokeAsync<bool>(nameof(ChatHub.RenameConversation), conversationId, "Mine now", Cancel),
            () => hub.InvokeAsync<bool>(nameof(ChatHub.DeleteConversation), conversationId, Cancel),
        })
        {
            var refused = await Assert.ThrowsAsync<HubException>(call);
            Assert.Contains("Conversation not found.", refused.Message, StringComparison.Ordinal);
        }

        var listed = await hub.InvokeAsync<IReadOnlyList<ConversationSummary>>(nameof(ChatHub.ListConversations), workspaceId, null, Cancel);
        Assert.DoesNotContain(listed, c => c.Id == conversationId);
        Assert.Equal(before, await SnapshotAsync(conversationId));
        Assert.Equal(owner.User.Id, (await app.Factory.QueryAsync(db => db.Conversations.SingleAsync(c => c.Id == conversationId, Cancel))).OwnerUserId);
    }

    [Fact]
    public async Task CreateConversation_OtherTenantsWorkspace_NotFoundAndNothingCreated()
    {
        var (_, _, workspaceId) = await OwnerWithAnswerAsync();
        var intruder = await app.NewMemberAsync($"Other {Guid.NewGuid():N}");
        await using var hub = await intruder.ConnectAsync();
        var model = await app.Factory.QueryAsync(db => db.ModelEntries.FirstAsync(m => m.IsTestModel, Cancel));
        var count = await app.Factory.QueryAsync(db => db.Conversations.CountAsync(Cancel));

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<Guid>(nameof(ChatHub.CreateConversation), workspaceId, model.Id, "x", Cancel));

        Assert.Contains("Workspace not found.", refused.Message, StringComparison.Ordinal);
        Assert.Equal(count, await app.Factory.QueryAsync(db => db.Conversations.CountAsync(Cancel)));
    }

    [Fact]
    public async Task CreateConversation_ModelNotGrantedToTenant_RefusedWithReason()
    {
        // Tenants made after the first start get no automatic grant of the test model.
        var member = await app.NewMemberAsync($"Ungranted {Guid.NewGuid():N}");
        await using var hub = await member.ConnectAsync();
        var workspace = (await hub.InvokeAsync<IReadOnlyList<WorkspaceView>>(nameof(ChatHub.ListWorkspaces), Cancel))[0];
        var model = await app.Factory.QueryAsync(db => db.ModelEntries.FirstAsync(m => m.IsTestModel, Cancel));

        Assert.Empty(await hub.InvokeAsync<IReadOnlyList<ModelChoice>>(nameof(ChatHub.ListModels), Cancel));
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<Guid>(nameof(ChatHub.CreateConversation), workspace.Id, model.Id, null, Cancel));
        Assert.Contains("That model is not available to your tenant.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revocation_MembershipDisabled_ConnectionClosedAndCallsRefused()
    {
        var member = await app.NewMemberAsync();
        var hub = await member.ConnectAsync();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        await app.Factory.QueryAsync(async db =>
        {
            var membership = await db.Memberships.SingleAsync(m => m.UserId == member.User.Id, Cancel);
            membership.IsDisabled = true;
            return await db.SaveChangesAsync(Cancel);
        });
        var tenantId = await app.Factory.QueryAsync(db => db.Memberships.Where(m => m.UserId == member.User.Id).Select(m => m.TenantId).SingleAsync(Cancel));
        await app.Factory.Services.GetRequiredService<IAccessRevocation>().RevokeAsync(member.User.Id, tenantId, Cancel);

        await closed.Task.WaitAsync(TimeSpan.FromMinutes(1), Cancel);
        Assert.Equal(HubConnectionState.Disconnected, hub.State);
        // The cookie still says "member"; the database does not: a new connection is closed at once.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var again = await member.ConnectAsync();
            await again.InvokeAsync<IReadOnlyList<WorkspaceView>>(nameof(ChatHub.ListWorkspaces), Cancel);
        });
        await hub.DisposeAsync();
    }

    private async Task<(SignedInUser Owner, Guid ConversationId, Guid WorkspaceId)> OwnerWithAnswerAsync()
    {
        var owner = await app.NewMemberAsync();
        await using var hub = await owner.ConnectAsync();
        var recorder = new AnswerRecorder(hub);
        var workspace = (await hub.InvokeAsync<IReadOnlyList<WorkspaceView>>(nameof(ChatHub.ListWorkspaces), Cancel))[0];
        var model = (await hub.InvokeAsync<IReadOnlyList<ModelChoice>>(nameof(ChatHub.ListModels), Cancel)).Single(m => m.Id != app.LongAnswerModelId);
        var conversationId = await hub.InvokeAsync<Guid>(nameof(ChatHub.CreateConversation), workspace.Id, model.Id, "Owner's", Cancel);
        await hub.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Hello", Cancel);
        await recorder.Completed;
        return (owner, conversationId, workspace.Id);
    }

    private Task<string> SnapshotAsync(Guid conversationId) =>
        app.Factory.QueryAsync(async db =>
        {
            var conversation = await db.Conversations.AsNoTracking().Include(c => c.Messages).SingleAsync(c => c.Id == conversationId, Cancel);
            return $"{conversation.Title}|{conversation.UpdatedAt:O}|" + string.Join(";", conversation.Messages.OrderBy(m => m.CreatedAt).Select(m => $"{m.Id}:{m.Role}:{m.Status}:{m.Content.Length}"));
        });
}
