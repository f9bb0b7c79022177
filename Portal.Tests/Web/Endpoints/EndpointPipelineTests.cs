using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Chat;
using Portal.Web.Endpoints;

namespace Portal.Tests.Web.Endpoints;

/// <summary>
/// Endpoint models through the one generation pipeline of the real portal, against a loopback server
/// speaking the OpenAI streaming protocol: granted like any model, answers stored with the remote's
/// usage, output rules on their text, the remote's failures ending the answer with a message a member
/// can read (and nothing internal), Stop aborting the remote request, the key protected at rest.
/// </summary>
public sealed class EndpointPipelineTests(EndpointPortal portal) : IClassFixture<EndpointPortal>, IAsyncLifetime
{
    private const string Key = "sk-live-9a8b7c6d5e4f3a2b1c0d";

    private FakeOpenAiServer server = default!;

    public async ValueTask InitializeAsync() => server = await FakeOpenAiServer.StartAsync();

    public async ValueTask DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task EndpointModel_StreamsThroughThePipeline_StoredWithTheRemotesUsage_AndAudited()
    {
        server.RequiredKey = Key;
        var member = await portal.NewMemberAsync();
        var modelId = await portal.AddEndpointModelAsync(server, "Team Llama", Key, member.Caller.TenantId);

        // It is in the member's model picker like any model, ready to chat.
        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            var choices = await scope.ServiceProvider.GetRequiredService<ConversationStore>().ModelsAsync(member.Caller, CancellationToken.None);
            var choice = Assert.Single(choices);
            Assert.Equal((modelId, "Team Llama", true, 4096), (choice.Id, choice.Name, choice.IsLoaded, choice.ContextLength));
        }

        var conversationId = await portal.NewConversationAsync(member, modelId);
        var sink = await portal.SendAsync(member, conversationId, "Say hello.");
        var done = await sink.Completed;

        Assert.Equal((GenerationState.Completed, "Hello from the endpoint.", null), (done.State, done.Content, done.Error));
        Assert.Equal("Hello from the endpoint.", sink.Streamed);
        Assert.Equal((11, 4), (done.PromptTokens, done.CompletionTokens));
        var (body, authorization) = Assert.Single(server.ChatRequests);
        Assert.Equal("Bearer " + Key, authorization);
        Assert.Equal("Say hello.", body.GetProperty("messages").EnumerateArray().Last().GetProperty("content").GetString());

        var messages = await portal.MessagesAsync(conversationId);
        Assert.Equal([(MessageRole.User, "Say hello."), (MessageRole.Assistant, "Hello from the endpoint.")], messages.Select(m => (m.Role, m.Content)));
        var usage = await portal.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == conversationId));
        Assert.Equal((modelId, 11, 4, GenerationOutcome.Completed, messages[1].Id), (usage.ModelEntryId, usage.PromptTokens, usage.CompletionTokens, usage.Outcome, usage.MessageId));
        var modelName = await portal.Factory.QueryAsync(db => db.ModelEntries.Where(m => m.Id == modelId).Select(m => m.Name).SingleAsync());
        Assert.Equal("endpoint:" + modelName, usage.Node);

        var added = await portal.Factory.QueryAsync(db => db.AuditEvents.SingleAsync(a => a.Action == "model.endpoint_added" && a.Target == $"model:{modelId}"));
        Assert.Contains("\"KeySet\":true", added.After, StringComparison.Ordinal);
        Assert.Contains(server.BaseUrl, added.After, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, added.After, StringComparison.Ordinal);
        Assert.Single(await portal.Factory.QueryAsync(db => db.AuditEvents.Where(a => a.Action == "model.grants_changed" && a.Target == $"model:{modelId}").ToListAsync()));
    }

    [Fact]
    public async Task OutputRules_ApplyToTheEndpointsText()
    {
        server.Answer = FakeOpenAiServer.Stream(["The secret ", "code is ", "AZURE-42", " today."], usage: (9, 4));
        var member = await portal.NewMemberAsync(new TenantPolicy
        {
            Name = "No codes",
            OutputRules = [new PolicyRule("codes", PolicyRuleKind.Phrase, "AZURE-42")],
        });
        var modelId = await portal.AddEndpointModelAsync(server, "Rules Llama", null, member.Caller.TenantId);
        var conversationId = await portal.NewConversationAsync(member, modelId);

        var sink = await portal.SendAsync(member, conversationId, "What is the code?");
        var done = await sink.Completed;

        Assert.Equal(GenerationState.Completed, done.State);
        Assert.DoesNotContain("AZURE-42", sink.Streamed, StringComparison.Ordinal);
        Assert.Equal("The secret code is [held back] today.", done.Content);
        Assert.Equal(["Held back from the answer: text matching rule “codes” (No codes v1)"], (done.PolicyActions ?? []).Select(a => a.Description));
        Assert.Equal("The secret code is [held back] today.", (await portal.MessagesAsync(conversationId))[1].Content);
    }

    public static TheoryData<string, string, string> Failures => new()
    {
        { "500", "", "The model endpoint 'Failing Llama' did not answer: it failed (HTTP 500)." },
        { "early end", "Half an ", "The model endpoint 'Failing Llama' did not answer: the connection closed before the answer was complete." },
        { "silence", "Half an ", "The model endpoint 'Failing Llama' did not answer: it stopped sending for 2 seconds." },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task RemoteFailure_EndsTheAnswerFailed_KeepingThePartialText_AndChargingWhatCame(string failure, string partial, string message)
    {
        server.Answer = failure switch
        {
            "500" => FakeOpenAiServer.Status(500),
            "early end" => FakeOpenAiServer.EndAfter(["Half ", "an "]),
            _ => FakeOpenAiServer.SilentAfter(["Half ", "an "]),
        };
        var member = await portal.NewMemberAsync();
        var modelId = await portal.AddEndpointModelAsync(server, "Failing Llama", null, member.Caller.TenantId);
        var conversationId = await portal.NewConversationAsync(member, modelId);

        var done = await (await portal.SendAsync(member, conversationId, "Hello?")).Completed;

        Assert.Equal((GenerationState.Failed, partial, message), (done.State, done.Content, done.Error));
        Assert.DoesNotContain(server.BaseUrl, done.Error!, StringComparison.Ordinal);
        Assert.DoesNotContain("gpu-07", done.Error!, StringComparison.Ordinal);
        var answer = (await portal.MessagesAsync(conversationId))[1];
        Assert.Equal((MessageStatus.Failed, partial, message), (answer.Status, answer.Content, answer.Error));
        var usage = await portal.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.ConversationId == conversationId));
        Assert.Equal((GenerationOutcome.Failed, partial.Length == 0 ? 0 : 3), (usage.Outcome, usage.CompletionTokens)); // "Half an ": ceil(8 bytes / 3)
    }

    [Fact]
    public async Task Stop_AbortsTheRemoteRequest_AndKeepsWhatCame()
    {
        server.Answer = FakeOpenAiServer.SilentAfter(["Let me think"]);
        var member = await portal.NewMemberAsync();
        var modelId = await portal.AddEndpointModelAsync(server, "Slow Llama", null, member.Caller.TenantId);
        var conversationId = await portal.NewConversationAsync(member, modelId);
        var sink = await portal.SendAsync(member, conversationId, "Think hard.");
        await sink.FirstTokens;

        Assert.True(await portal.Generations.StopAsync(member.Caller, conversationId, CancellationToken.None));

        await server.ClientAborted.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var done = await sink.Completed;
        Assert.Equal((GenerationState.Stopped, "Let me think"), (done.State, done.Content));
        Assert.Equal((MessageStatus.Stopped, "Let me think"), (await portal.MessagesAsync(conversationId)) is var m ? (m[1].Status, m[1].Content) : default);
    }

    [Fact]
    public async Task CompletedFrame_ArrivesWhenTheConversationTakesTheNextMessage()
    {
        server.Answer = FakeOpenAiServer.Stream(["Done."]);
        var member = await portal.NewMemberAsync();
        var modelId = await portal.AddEndpointModelAsync(server, "Quick Llama", null, member.Caller.TenantId);
        var conversationId = await portal.NewConversationAsync(member, modelId);
        var sink = new NextMessageSink(() => portal.Generations.IsGenerating(conversationId));

        await portal.Generations.StartAsync(member.Caller, conversationId, "Hello?", sink, CancellationToken.None);

        // A door that sends the next message as soon as the last answer completes must not be told one is still written.
        Assert.False(await sink.StillGeneratingAtCompletion.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken));
        var next = await portal.SendAsync(member, conversationId, "And now?");
        Assert.Equal(GenerationState.Completed, (await next.Completed).State);
    }

    [Fact]
    public async Task StoredKey_IsProtectedAtRest_AndNeverLogged()
    {
        server.RequiredKey = Key;
        server.Answer = FakeOpenAiServer.Status(500); // a failure logs the most about the remote
        var member = await portal.NewMemberAsync();
        var modelId = await portal.AddEndpointModelAsync(server, "Keyed Llama", Key, member.Caller.TenantId);
        var conversationId = await portal.NewConversationAsync(member, modelId);
        await (await portal.SendAsync(member, conversationId, "Hello?")).Completed;
        server.Answer = FakeOpenAiServer.Stream(["Fine."]);
        await (await portal.SendAsync(member, conversationId, "And now?")).Completed;

        var stored = await portal.Factory.QueryAsync(db => db.ModelEntries.Where(m => m.Id == modelId).Select(m => m.Endpoint!.ProtectedApiKey).SingleAsync());
        Assert.NotNull(stored);
        Assert.DoesNotContain(Key, stored, StringComparison.Ordinal);
        Assert.Equal("Bearer " + Key, server.ChatRequests.Last().Authorization); // yet the remote got it, unprotected

        // Nowhere in the database files (rows, audit, write-ahead log) and nowhere in the log.
        var files = Directory.GetFiles(portal.Factory.DataDirectory, "*.db*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = await ReadSharedAsync(file);
            Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Key)) >= 0, $"the key is in clear in {Path.GetFileName(file)}");
        }

        Assert.NotEmpty(portal.Logs.Lines);
        Assert.DoesNotContain(portal.Logs.Lines, line => line.Contains(Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TenantNotGranted_CannotSeeStartOrUseTheEndpointModel()
    {
        var granted = await portal.NewMemberAsync();
        var other = await portal.NewMemberAsync();
        var modelId = await portal.AddEndpointModelAsync(server, "Private Llama", null, granted.Caller.TenantId);

        await using (var scope = portal.Factory.Services.CreateAsyncScope())
        {
            Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<ConversationStore>().ModelsAsync(other.Caller, CancellationToken.None), m => m.Id == modelId);
        }

        var refused = await Assert.ThrowsAsync<ChatRequestException>(() => portal.NewConversationAsync(other, modelId));
        Assert.Equal("That model is not available to your tenant.", refused.Message);

        // A conversation on the model in a tenant without the grant (the grant was taken away): nothing reaches the remote.
        var conversationId = await portal.NewConversationAsync(granted, modelId);
        var admin = await portal.PlatformAdminAsync();
        await portal.AdminAsync<ModelAdministration>(m => m.SetGrantsAsync(admin, modelId, [], CancellationToken.None));
        var ended = await Assert.ThrowsAsync<ChatRequestException>(() => portal.SendAsync(granted, conversationId, "Hello?"));
        Assert.Equal("The model of this conversation is no longer available to your tenant; start a new conversation with another model.", ended.Message);
        Assert.Empty(server.ChatRequests);
    }

    [Fact]
    public async Task OnlyAPlatformAdmin_AddsChangesRemovesOrTestsEndpoints()
    {
        var tenantAdmin = await portal.NewMemberAsync(roles: TenantRoles.TenantAdmin);
        var actor = new AdminActor(tenantAdmin.Caller.UserId, IsPlatformAdmin: false, tenantAdmin.Caller.TenantId, IsTenantAdmin: true);
        var modelId = await portal.AddEndpointModelAsync(server, "Guarded Llama", null);
        var input = new EndpointModelInput("Mine now", server.BaseUrl, FakeOpenAiServer.ModelName, "k", false, 4096, 512, 8);

        var refusals = new[]
        {
            await Assert.ThrowsAsync<AdminException>(() => portal.AdminAsync<EndpointModelAdministration>(e => e.AddAsync(actor, input, CancellationToken.None))),
            await Assert.ThrowsAsync<AdminException>(() => portal.AdminAsync<EndpointModelAdministration>(e => e.UpdateAsync(actor, modelId, input, CancellationToken.None))),
            await Assert.ThrowsAsync<AdminException>(() => portal.AdminAsync<EndpointModelAdministration>(e => e.RemoveAsync(actor, modelId, CancellationToken.None))),
            await Assert.ThrowsAsync<AdminException>(() => portal.AdminAsync<EndpointModelAdministration>(e => e.TestAsync(actor, null, input, CancellationToken.None))),
            await Assert.ThrowsAsync<AdminException>(() => portal.AdminAsync<EndpointModelAdministration>(e => e.ListAsync(actor, CancellationToken.None))),
        };

        Assert.All(refusals, r => Assert.Equal((AdminFailure.Forbidden, "Only platform administrators may do this."), (r.Failure, r.Message)));
        var entry = await portal.Factory.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == modelId));
        Assert.Equal(("Guarded Llama", server.BaseUrl), (entry.Name, entry.Endpoint!.BaseUrl));
        Assert.Empty(server.ChatRequests);
    }

    [Fact]
    public async Task EndpointModelsPage_OpensForAPlatformAdmin_AndNotForATenantAdmin()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        await portal.Factory.CreateLocalUserAsync(email, EndpointPortal.Password, TenantRoles.TenantAdmin, $"Endpoint {Guid.NewGuid():N}"[..22]);
        var tenantAdmin = NewBrowser();
        using (var signIn = await tenantAdmin.SignInAsync(email, EndpointPortal.Password))
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, signIn.StatusCode);
        }

        using var refused = await tenantAdmin.GetAsync("/admin/models/endpoints");
        Assert.StartsWith("/account/access-denied", refused.Headers.Location.PathAndQuery(), StringComparison.Ordinal);

        var platformAdmin = NewBrowser();
        using (var signIn = await platformAdmin.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword))
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, signIn.StatusCode);
        }

        Assert.Contains("Endpoint models", await platformAdmin.GetPageAsync("/admin/models/endpoints"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminEdits_KeepTheKeyUnlessReplaced_RefuseBadInput_AndAuditWithoutTheKey()
    {
        var admin = await portal.PlatformAdminAsync();
        var modelId = await portal.AddEndpointModelAsync(server, "Edited Llama", Key);
        var protectedBefore = await StoredKeyAsync(modelId);

        var renamed = new EndpointModelInput("Edited Llama 2", server.BaseUrl + "/", FakeOpenAiServer.ModelName, null, false, 8192, 1024, 4);
        await portal.AdminAsync<EndpointModelAdministration>(e => e.UpdateAsync(admin, modelId, renamed, CancellationToken.None));
        Assert.Equal(protectedBefore, await StoredKeyAsync(modelId));
        var view = (await portal.AdminAsync<EndpointModelAdministration, IReadOnlyList<EndpointModelView>>(e => e.ListAsync(admin, CancellationToken.None))).Single(v => v.Id == modelId);
        Assert.Equal(("Edited Llama 2", server.BaseUrl, true, 8192, 1024, 4), (view.Name, view.BaseUrl, view.HasApiKey, view.ContextSize, view.MaxOutputTokens, view.ParallelRequests));

        var bad = await Assert.ThrowsAsync<AdminException>(() => portal.AdminAsync<EndpointModelAdministration>(e =>
            e.UpdateAsync(admin, modelId, renamed with { BaseUrl = "http://user:pw@gpu-01/v1" }, CancellationToken.None)));
        Assert.Equal("Leave the user name and password out of the URL; put the key in the API key field.", bad.Message);
        var tooLong = await Assert.ThrowsAsync<AdminException>(() => portal.AdminAsync<EndpointModelAdministration>(e =>
            e.UpdateAsync(admin, modelId, renamed with { MaxOutputTokens = 5000 }, CancellationToken.None)));
        Assert.Equal("The most output tokens must be at least 16 and at most half the context size.", tooLong.Message);
        var twice = await Assert.ThrowsAsync<AdminException>(() => portal.AdminAsync<EndpointModelAdministration>(e =>
            e.AddAsync(admin, renamed with { Name = "Same remote" }, CancellationToken.None)));
        Assert.Equal($"This engine's model '{FakeOpenAiServer.ModelName}' is already registered as 'Edited Llama 2'.", twice.Message);

        await portal.AdminAsync<EndpointModelAdministration>(e => e.UpdateAsync(admin, modelId, renamed with { RemoveApiKey = true }, CancellationToken.None));
        Assert.Null(await StoredKeyAsync(modelId));
        await portal.AdminAsync<EndpointModelAdministration>(e => e.RemoveAsync(admin, modelId, CancellationToken.None));
        Assert.False(await portal.Factory.QueryAsync(db => db.ModelEntries.AnyAsync(m => m.Id == modelId)));

        var audit = await portal.Factory.QueryAsync(db => db.AuditEvents.Where(a => a.Target == $"model:{modelId}").OrderBy(a => a.Id).Select(a => new { a.Action, a.Before, a.After }).ToListAsync());
        Assert.Equal(["model.endpoint_added", "model.grants_changed", "model.endpoint_changed", "model.endpoint_changed", "model.endpoint_removed"], audit.Select(a => a.Action));
        Assert.DoesNotContain(audit, a => (a.Before + a.After).Contains(Key, StringComparison.Ordinal));
        Assert.Contains("\"KeySet\":false", audit[3].After, StringComparison.Ordinal);
    }

    private BrowserLikeClient NewBrowser() =>
        new(portal.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    private Task<string?> StoredKeyAsync(Guid modelId) =>
        portal.Factory.QueryAsync(db => db.ModelEntries.Where(m => m.Id == modelId).Select(m => m.Endpoint!.ProtectedApiKey).SingleAsync());

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await file.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Notes, when the completed frame arrives, whether the conversation still counts as being written.</summary>
    private sealed class NextMessageSink(Func<bool> isGenerating) : IGenerationSink
    {
        public TaskCompletionSource<bool> StillGeneratingAtCompletion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task StateChangedAsync(GenerationStateFrame frame) => Task.CompletedTask;

        public Task TokensAsync(TokenFrame frame) => Task.CompletedTask;

        public Task CompletedAsync(GenerationCompletedFrame frame)
        {
            StillGeneratingAtCompletion.TrySetResult(isGenerating());
            return Task.CompletedTask;
        }
    }
}
