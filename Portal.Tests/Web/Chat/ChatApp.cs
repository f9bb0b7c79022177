using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Models;
using Portal.Inference.Gguf;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Chat;
using Portal.Web.Models;

namespace Portal.Tests.Web.Chat;

/// <summary>
/// The real portal served by Kestrel on loopback over a fresh data folder: the embedded default
/// registers and loads the tiny test model at start. Answers are greedy (temperature 0), so a prompt
/// always gets the same answer.
/// </summary>
public class ChatApp : IAsyncLifetime
{
    public const string Password = "Chat-Member-Pass-1!";

    /// <summary>The portal's default <c>Portal:Chat:MaxMessageLength</c>.</summary>
    public const int MaxMessageLength = 32_000;

    public ChatApp()
        : this(null)
    {
    }

    /// <param name="extra">Settings on top of the chat defaults (a subclass's fixture: worker mode, faults).</param>
    protected ChatApp(IReadOnlyDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Portal:Chat:Temperature"] = "0",
            ["Portal:Chat:MaxAnswerTokens"] = "1024",
            // One thread: the test machine's cores are shared, and llama.cpp's threads spin on a busy one.
            ["Inference:Threads"] = "1",
            // The fixture writes a second model into the models folder itself; a start-up scan racing it
            // would register (or refuse) the half-written file before the fixture does.
            ["Portal:Models:ScanOnStart"] = "false",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        Factory = new(settings);
    }

    public PortalAppFactory Factory { get; }

    /// <summary>
    /// A second test model with the largest test vocabulary (about 37,000 tokens): its greedy answers
    /// run far before the end token comes up, so a test can stop or abandon one mid-stream.
    /// </summary>
    public Guid LongAnswerModelId { get; private set; }

    public Uri BaseAddress { get; private set; } = default!;

    public ChatGenerations Generations => Factory.Services.GetRequiredService<ChatGenerations>();

    public ModelCatalog Catalog => Factory.Services.GetRequiredService<ModelCatalog>();

    public async ValueTask InitializeAsync()
    {
        Factory.UseKestrel(0);
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        await Factory.Services.GetRequiredService<ModelCatalogStartup>().Ready;
        LongAnswerModelId = await AddLongAnswerModelAsync();
    }

    private async Task<Guid> AddLongAnswerModelAsync()
    {
        var catalog = Catalog;
        var path = Path.Combine(catalog.ModelsFolder, "long-answers.test.gguf");
        TestModels.WriteBenchmarkModel(path, TestModels.TinyLlamaShape with { VocabularySize = TestVocabulary.MaxTokenCount, Name = "long-answers" }, seed: 3);
        var entry = await catalog.RegisterFileAsync(path, isTestModel: true, TestContext.Current.CancellationToken);
        await Factory.QueryAsync(async db =>
        {
            foreach (var tenant in await db.Tenants.ToListAsync())
            {
                db.ModelGrants.Add(new ModelGrant { TenantId = tenant.Id, ModelEntryId = entry.Id, GrantedAt = DateTimeOffset.UtcNow });
            }

            return await db.SaveChangesAsync();
        });
        await catalog.LoadAsync(entry.Id, null, TestContext.Current.CancellationToken);
        return entry.Id;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A new member of <paramref name="tenantName"/>, signed in with a cookie of their own.</summary>
    public async Task<SignedInUser> NewMemberAsync(string tenantName = "Default")
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        var user = await Factory.CreateLocalUserAsync(email, Password, TenantRoles.Member, tenantName);
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        using var signIn = await new BrowserLikeClient(http).SignInAsync(email, Password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.DoesNotContain("signin", signIn.Headers.Location?.OriginalString ?? "", StringComparison.OrdinalIgnoreCase);
        return new SignedInUser(user, cookies, http, this);
    }
}

/// <summary>A signed-in person of a test, with their cookie.</summary>
public sealed record SignedInUser(User User, CookieContainer Cookies, HttpClient Http, ChatApp App)
{
    /// <summary>A hub connection over WebSockets carrying the person's cookie; started.</summary>
    public async Task<HubConnection> ConnectAsync()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(App.BaseAddress, ChatHub.Path), HttpTransportType.WebSockets, options => options.Cookies = Cookies)
            .Build();
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }
}
