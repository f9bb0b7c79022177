using Microsoft.EntityFrameworkCore;
using Portal.Domain.Chat;
using Portal.Domain.Usage;
using Portal.Tests.Web.Api;
using Portal.Tests.Web.Chat;
using Portal.Web.Admin;
using Portal.Web.Chat;
using Portal.Web.Endpoints;

namespace Portal.Tests.Web.Endpoints;

/// <summary>
/// Portal B (Kestrel on loopback, the tiny model loaded, an API key of one of its tenants) added to
/// portal A as an endpoint model: a chat in A streams B's answer through A's pipeline, A's usage record
/// carries the token counts B reported in its stream, and B records the request as an API request.
/// </summary>
public sealed class SecondPortalEndpointTests(ChatApp portalB, EndpointPortal portalA) : IClassFixture<ChatApp>, IClassFixture<EndpointPortal>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EndpointModel_OnASecondPortalsV1_StreamsItsAnswer_WithItsUsage_RecordedThereAsAnApiRequest()
    {
        var tenantB = await ApiClients.NewTenantAsync(portalB);
        var member = await portalA.NewMemberAsync();
        var admin = await portalA.PlatformAdminAsync();
        var input = new EndpointModelInput("Portal B", new Uri(portalB.BaseAddress, "/v1").ToString(), tenantB.TinyModel, tenantB.Key.Secret, false, 2048, 48, 2);
        var modelId = await portalA.AdminAsync<EndpointModelAdministration, Guid>(e => e.AddAsync(admin, input, Cancel));
        await portalA.AdminAsync<ModelAdministration>(m => m.SetGrantsAsync(admin, modelId, [member.Caller.TenantId], Cancel));

        // "Test connection" lists B's models with the key: the tiny model is there.
        var test = await portalA.AdminAsync<EndpointModelAdministration, EndpointTestResult>(e => e.TestAsync(admin, modelId, input with { NewApiKey = null }, Cancel));
        Assert.True(test.Outcome == EndpointTestOutcome.Ok, test.Message);

        var conversationId = await portalA.NewConversationAsync(member, modelId);
        var sink = await portalA.SendAsync(member, conversationId, "Tell me about llamas.");
        var done = await sink.Completed;

        Assert.Equal(GenerationState.Completed, done.State);
        Assert.NotEmpty(done.Content);
        Assert.Equal(done.Content, sink.Streamed);

        // B answered it as an API request of its tenant: a conversation of the key in its API workspace, with the same answer.
        var usageB = await portalB.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.TenantId == tenantB.TenantId, Cancel));
        var conversationB = await portalB.Factory.QueryAsync(db => db.Conversations.Include(c => c.Messages).SingleAsync(c => c.Id == usageB.ConversationId, Cancel));
        var workspaceB = await portalB.Factory.QueryAsync(db => db.Workspaces.SingleAsync(w => w.Id == conversationB.WorkspaceId, Cancel));
        Assert.Equal((ChatGenerations.ApiWorkspaceName, "API · script key"), (workspaceB.Name, conversationB.Title));
        Assert.Equal(done.Content, conversationB.Messages.Single(m => m.Role == MessageRole.Assistant).Content);
        Assert.Equal((tenantB.UserId, GenerationOutcome.Completed), (usageB.UserId, usageB.Outcome));
        Assert.True(usageB.PromptTokens > 0);
        Assert.InRange(usageB.CompletionTokens, 1, 48); // A's answer limit reached B as max_tokens

        // A's record carries B's counts (from B's stream_options.include_usage chunk), not an estimate of its own.
        var usageA = await portalA.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == conversationId, Cancel));
        Assert.Equal((usageB.PromptTokens, usageB.CompletionTokens), (usageA.PromptTokens, usageA.CompletionTokens));
        Assert.Equal((usageB.PromptTokens, usageB.CompletionTokens), (done.PromptTokens, done.CompletionTokens));
        Assert.Equal((modelId, GenerationOutcome.Completed, "endpoint:Portal B"), (usageA.ModelEntryId, usageA.Outcome, usageA.Node));
    }
}
