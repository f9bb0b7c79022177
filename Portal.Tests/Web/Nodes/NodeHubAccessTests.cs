using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Tenants;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;
using Portal.Tests.Web.Hosting;
using Portal.Web.Chat;
using Portal.Web.Models;
using Portal.Web.Nodes;

namespace Portal.Tests.Web.Nodes;

/// <summary>The node hub opens only to a valid node key, and a node key opens nothing else.</summary>
public sealed class NodeHubAccessTests(WorkerPortal portal) : IClassFixture<WorkerPortal>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private NodeKeys Keys => portal.Factory.Services.GetRequiredService<NodeKeys>();

    [Fact]
    public async Task NodeKey_StoredHashed_OpensTheNodeHub_UntilRevoked()
    {
        var (entry, key) = await Keys.CreateAsync("gpu-box-1", createdBy: null, Cancel);
        var stored = await portal.Factory.QueryAsync(db => db.NodeKeys.SingleAsync(k => k.Id == entry.Id, Cancel));
        Assert.DoesNotContain(key, stored.KeyHash, StringComparison.Ordinal);
        Assert.Equal(64, stored.KeyHash.Length);
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(NodeHub.Path, bearer: key));

        await using var node = Connect(key);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        await node.StartAsync(Cancel);
        // It claims the test model is loaded: a claim gets no one's prompts; only a load the portal asked for does.
        var testModel = ModelCatalog.EngineId((await WorkerProcessTests.TestModelAsync(portal)).Id);
        var claimed = new LoadedModelInfo(testModel, "/elsewhere.gguf", "claimed", 2, 0, 2048, 64, true);
        await node.InvokeAsync(NodeHubMethods.Register, new NodeHello("gpu-box-1", "box", 1, 8, 1 << 30, [], [claimed]), Cancel);
        var registered = Assert.Single(portal.Registry.Nodes, n => n.KeyId == entry.Id && n.Hello?.Name == "gpu-box-1");
        Assert.Empty(registered.Models);

        Assert.True(await Keys.RevokeAsync(entry.Id, revokedBy: null, Cancel));

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        Assert.DoesNotContain(portal.Registry.Nodes, n => n.KeyId == entry.Id);
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(NodeHub.Path, bearer: key));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Connect(key).StartAsync(Cancel));
    }

    [Fact]
    public async Task WrongNodeKey_IsRefused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(NodeHub.Path, bearer: "pnk_not-a-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(NodeHub.Path, bearer: null));
        var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => Connect("pnk_not-a-key").StartAsync(Cancel));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task NodeKey_DoesNotOpenTheChatHub()
    {
        var (_, key) = await Keys.CreateAsync("not-a-person", createdBy: null, Cancel);

        Assert.NotEqual(HttpStatusCode.OK, await NegotiateAsync(ChatHub.Path, bearer: key));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var chat = new HubConnectionBuilder()
                .WithUrl(new Uri(portal.BaseAddress, ChatHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(key))
                .Build();
            await chat.StartAsync(Cancel);
            await chat.InvokeAsync<object>(nameof(ChatHub.ListWorkspaces), Cancel);
        });
    }

    [Fact]
    public async Task SignedInPerson_CannotOpenTheNodeHub()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        await portal.Factory.CreateLocalUserAsync(email, "Node-Hub-Pass-1!", TenantRoles.Member | TenantRoles.TenantAdmin);
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = portal.BaseAddress };
        using (var signIn = await new BrowserLikeClient(http).SignInAsync(email, "Node-Hub-Pass-1!"))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        using var negotiate = await http.PostAsync($"{NodeHub.Path}/negotiate?negotiateVersion=1", null, Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, negotiate.StatusCode);
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(portal.BaseAddress, NodeHub.Path), HttpTransportType.WebSockets, o => o.Cookies = cookies)
            .Build();
        await Assert.ThrowsAnyAsync<Exception>(() => hub.StartAsync(Cancel));
    }

    private HubConnection Connect(string key) => new HubConnectionBuilder()
        .WithUrl(new Uri(portal.BaseAddress, NodeHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(key))
        .Build();

    private async Task<HttpStatusCode> NegotiateAsync(string hubPath, string? bearer)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = portal.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{hubPath}/negotiate?negotiateVersion=1");
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await http.SendAsync(request, Cancel);
        return response.StatusCode;
    }
}
