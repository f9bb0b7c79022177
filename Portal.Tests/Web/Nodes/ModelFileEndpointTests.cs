using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Tenants;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;
using Portal.Inference.Nodes;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Api;
using Portal.Web.Models;
using Portal.Web.Nodes;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// The portal's model file route opens only to a node key, only for a loaded model named by its id;
/// and a node's download progress keeps its load's time limit from running out, while a silent load still fails.
/// </summary>
public sealed class ModelFileEndpointTests(WorkerPortal portal) : IClassFixture<WorkerPortal>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private NodeKeys Keys => portal.Factory.Services.GetRequiredService<NodeKeys>();

    [Fact]
    public async Task NodeKey_GetsTheLoadedModelsFile_WholeOrARange()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var (_, key) = await Keys.CreateAsync("file-reader", createdBy: null, Cancel);
        var expected = await File.ReadAllBytesAsync(portal.Catalog.PathOf(entry), Cancel);

        using var whole = await GetAsync(FileUrl(entry.Id), key);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(expected, await whole.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal($"\"{entry.Sha256}\"", whole.Headers.ETag?.Tag);

        using var range = await GetAsync(FileUrl(entry.Id), key, new RangeHeaderValue(100, 199));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal(expected[100..200], await range.Content.ReadAsByteArrayAsync(Cancel));
    }

    [Fact]
    public async Task NoKey_WrongKey_RevokedKey_ApiKey_AndAPlatformAdminsCookie_AreRefused()
    {
        var entry = await WorkerProcessTests.TestModelAsync(portal);
        var url = FileUrl(entry.Id);
        var (revoked, revokedKey) = await Keys.CreateAsync("revoked-reader", createdBy: null, Cancel);
        Assert.True(await Keys.RevokeAsync(revoked.Id, revokedBy: null, Cancel));

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(url, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(url, "pnk_not-a-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(url, revokedKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(url, await ApiKeyAsync()));

        // The node key as a query parameter opens only the hub's own path, not the file.
        var (_, key) = await Keys.CreateAsync("query-reader", createdBy: null, Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(url + "?access_token=" + Uri.EscapeDataString(key), null));

        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = portal.BaseAddress };
        using (var signIn = await new BrowserLikeClient(http).SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword))
        {
            Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        }

        using var withCookie = await http.GetAsync(url, Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, withCookie.StatusCode);
        Assert.Equal(0, withCookie.Content.Headers.ContentLength ?? (await withCookie.Content.ReadAsByteArrayAsync(Cancel)).Length);
    }

    [Fact]
    public async Task OnlyLoadedModelsById_AnUnknownId_ARegisteredButUnloadedModel_OrAPath_Is404()
    {
        var (_, key) = await Keys.CreateAsync("curious-node", createdBy: null, Cancel);
        var path = Path.Combine(portal.Catalog.ModelsFolder, "registered-not-loaded.gguf");
        TestModels.WriteTinyLlama(path, seed: 91);
        var unloaded = await portal.Catalog.RegisterFileAsync(path, isTestModel: true, Cancel);

        foreach (var url in new[]
        {
            FileUrl(Guid.NewGuid()),
            FileUrl(unloaded.Id),
            "api/nodes/models/not-a-model/file",
            "api/nodes/models/..%2F..%2Fportal.db/file",
            "api/nodes/models/..%2Fmodels%2Fregistered-not-loaded.gguf/file",
            "api/nodes/models/%2Fetc%2Fpasswd/file",
        })
        {
            using var response = await GetAsync(url, key);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url}: {response.StatusCode}");
            Assert.Equal("The portal offers no file for this model id: it is not a loaded model of the catalog.", await response.Content.ReadAsStringAsync(Cancel));
        }
    }

    [Fact]
    public async Task DownloadProgress_KeepsALoadAlivePastItsLimit_ASilentLoadStillTimesOut()
    {
        var (_, key) = await Keys.CreateAsync("slow-link", createdBy: null, Cancel);
        await using var fake = new HubConnectionBuilder()
            .WithUrl(new Uri(portal.BaseAddress, NodeHub.Path), o => o.AccessTokenProvider = () => Task.FromResult<string?>(key))
            .Build();

        // This node "downloads" the model "slow" for well over the limit, reporting as a worker does, then answers;
        // it never answers "silent". (The test model the portal offers it on its own is not answered either.)
        fake.On<string, ModelLoadRequest>(NodeCommands.Load, (requestId, request) =>
        {
            if (request.ModelId == "slow")
            {
                _ = Task.Run(async () =>
                {
                    for (var i = 1; i <= 40; i++)
                    {
                        await fake.SendAsync(ModelDownloads.LoadProgress, requestId, new NodeLoadProgress("slow", i, 40), Cancel);
                        await Task.Delay(150, Cancel);
                    }

                    await fake.SendAsync(NodeHubMethods.Reply, requestId, new NodeReply("loaded after a long download"), Cancel);
                }, Cancel);
            }
        });
        await fake.StartAsync(Cancel);
        await fake.InvokeAsync(NodeHubMethods.Register, new NodeHello("slow-link", "box", 1, 4, 1 << 30, [], []), Cancel);
        var node = Assert.Single(portal.Registry.Nodes, n => n.Hello?.Name == "slow-link");
        var limit = TimeSpan.FromSeconds(3);

        var reply = await portal.Registry.RequestAsync(node, NodeCommands.Load, [new ModelLoadRequest("slow", "/models/slow.gguf")], limit, Cancel);
        var silent = await Assert.ThrowsAsync<InferenceException>(() =>
            portal.Registry.RequestAsync(node, NodeCommands.Load, [new ModelLoadRequest("silent", "/models/silent.gguf")], limit, Cancel));

        Assert.Equal("loaded after a long download", reply.Error);
        Assert.Empty(node.Downloads);
        Assert.Equal("The node did not answer Load within 3 s.", silent.Message);
    }

    private static string FileUrl(Guid modelId) => ModelDownloads.FilePath(ModelCatalog.EngineId(modelId));

    private async Task<HttpResponseMessage> GetAsync(string url, string? bearer, RangeHeaderValue? range = null)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = portal.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = range;
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        var response = await http.SendAsync(request, Cancel);
        await response.Content.LoadIntoBufferAsync(Cancel);
        return response;
    }

    private async Task<HttpStatusCode> StatusAsync(string url, string? bearer)
    {
        using var response = await GetAsync(url, bearer);
        return response.StatusCode;
    }

    /// <summary>A working /v1 key of a tenant admin of the default tenant.</summary>
    private async Task<string> ApiKeyAsync()
    {
        var admin = await portal.Factory.CreateLocalUserAsync($"{Guid.NewGuid():N}@portal.test", "File-Reader-Pass-1!", TenantRoles.Member | TenantRoles.TenantAdmin);
        var tenantId = await portal.Factory.QueryAsync(db => db.Tenants.Where(t => t.Name == "Default").Select(t => t.Id).SingleAsync(Cancel));
        await using var scope = portal.Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>()
            .CreateAsync(new AdminActor(admin.Id, false, tenantId, true), new ApiKeyDraft("not a node", admin.Id, null, []), Cancel);
        using var http = new HttpClient { BaseAddress = portal.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Secret);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("v1/models", Cancel)).StatusCode);
        return created.Secret;
    }
}
