using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Models;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Chat;

/// <summary>Suspending a tenant closes every open chat connection of that tenant at once, and only of that tenant.</summary>
public sealed class TenantSuspensionHubTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SuspendTenant_OpenHubConnections_ClosedAndCannotStartAnAnswer()
    {
        var tenantName = $"Suspended {Guid.NewGuid():N}";
        var first = await app.NewMemberAsync(tenantName);
        var second = await app.NewMemberAsync(tenantName);
        var bystander = await app.NewMemberAsync($"Bystander {Guid.NewGuid():N}");
        var hubs = new[] { await first.ConnectAsync(), await second.ConnectAsync() };
        await using var bystanderHub = await bystander.ConnectAsync();
        var closed = hubs.Select(Closed).ToArray();
        var tenantId = await app.Factory.QueryAsync(db => db.Tenants.Where(t => t.Name == tenantName).Select(t => t.Id).SingleAsync(Cancel));
        await app.Factory.QueryAsync(db =>
        {
            db.ModelGrants.Add(new ModelGrant { TenantId = tenantId, ModelEntryId = app.LongAnswerModelId, GrantedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync(Cancel);
        });
        var workspace = (await hubs[0].InvokeAsync<IReadOnlyList<WorkspaceView>>(nameof(ChatHub.ListWorkspaces), Cancel))[0];
        var conversationId = await hubs[0].InvokeAsync<Guid>(nameof(ChatHub.CreateConversation), workspace.Id, app.LongAnswerModelId, "Before suspension", Cancel);
        await hubs[0].InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Write at length.", Cancel);
        Assert.True(app.Generations.IsGenerating(conversationId));

        await using (var scope = app.Factory.Services.CreateAsyncScope())
        {
            var admin = await app.Factory.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail, Cancel));
            await scope.ServiceProvider.GetRequiredService<TenantAdministration>()
                .SetSuspendedAsync(new AdminActor(admin.Id, IsPlatformAdmin: true, ActiveTenantId: null, IsTenantAdmin: false), tenantId, true, Cancel);
        }

        // Closed by the suspension itself, not by a later call of theirs.
        await Task.WhenAll(closed).WaitAsync(TimeSpan.FromMinutes(1), Cancel);
        Assert.All(hubs, hub => Assert.Equal(HubConnectionState.Disconnected, hub.State));
        await WaitUntilAsync(() => !app.Generations.IsGenerating(conversationId));
        var before = await MessageCountAsync(conversationId);
        await Assert.ThrowsAnyAsync<Exception>(() => hubs[0].InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Still here?", Cancel));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var again = await first.ConnectAsync();
            await again.InvokeAsync<GenerationStarted>(nameof(ChatHub.SendMessage), conversationId, "Once more", Cancel);
        });
        Assert.Equal(before, await MessageCountAsync(conversationId));
        Assert.False(app.Generations.IsGenerating(conversationId));

        // Another tenant's connection is untouched.
        Assert.Equal(HubConnectionState.Connected, bystanderHub.State);
        Assert.NotEmpty(await bystanderHub.InvokeAsync<IReadOnlyList<WorkspaceView>>(nameof(ChatHub.ListWorkspaces), Cancel));
        foreach (var hub in hubs)
        {
            await hub.DisposeAsync();
        }
    }

    private Task<int> MessageCountAsync(Guid conversationId) =>
        app.Factory.QueryAsync(db => db.Messages.IgnoreQueryFilters().CountAsync(m => m.ConversationId == conversationId, Cancel));

    /// <summary>The stopped answer is stored by its own task; a guard of a minute, not a measurement.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private static Task Closed(HubConnection hub)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        return closed.Task;
    }
}
