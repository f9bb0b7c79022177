using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Chat;
using Portal.Web.Endpoints;

namespace Portal.Tests.Web.Endpoints;

/// <summary>
/// The real portal over its own SQLite file, without the built-in test model (no llama.cpp needed:
/// every model here is an endpoint), with short endpoint timeouts and every log line captured.
/// </summary>
public sealed class EndpointPortal : IAsyncLifetime
{
    public const string Password = "Endpoint-Member-Pass-1!";

    public CapturedLogs Logs { get; } = new();

    public PortalAppFactory Factory { get; }

    public EndpointPortal() => Factory = new PortalAppFactory(
        new Dictionary<string, string?>
        {
            ["Portal:Models:CreateTestModelWhenEmpty"] = "false",
            ["Portal:Models:ScanOnStart"] = "false",
            ["Portal:Chat:Temperature"] = "0",
            ["Portal:Endpoints:IdleTimeoutSeconds"] = "2",
            ["Portal:Endpoints:ResponseTimeoutSeconds"] = "30",
            ["Logging:LogLevel:Default"] = "Debug",
        },
        services => services.AddSingleton<ILoggerProvider>(Logs));

    public ChatGenerations Generations => Factory.Services.GetRequiredService<ChatGenerations>();

    public ValueTask InitializeAsync()
    {
        _ = Factory.Services; // starts the host
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();

    public async Task<AdminActor> PlatformAdminAsync()
    {
        var id = await Factory.QueryAsync(db => db.PortalUsers.Where(u => u.Email == PortalAppFactory.AdminEmail).Select(u => u.Id).SingleAsync());
        return new AdminActor(id, IsPlatformAdmin: true, ActiveTenantId: null, IsTenantAdmin: false);
    }

    /// <summary>Runs <paramref name="action"/> with a fresh <typeparamref name="TService"/> in a scope of its own, as an admin page does.</summary>
    public async Task<T> AdminAsync<TService, T>(Func<TService, Task<T>> action)
        where TService : notnull
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public Task AdminAsync<TService>(Func<TService, Task> action)
        where TService : notnull =>
        AdminAsync<TService, bool>(async service =>
        {
            await action(service);
            return true;
        });

    /// <summary>A platform admin adds an endpoint model for <paramref name="server"/> and grants it to <paramref name="tenantIds"/>.</summary>
    public async Task<Guid> AddEndpointModelAsync(FakeOpenAiServer server, string name, string? key, params Guid[] tenantIds)
    {
        var admin = await PlatformAdminAsync();
        var input = new EndpointModelInput(name, server.BaseUrl, FakeOpenAiServer.ModelName, key, false, 4096, 512, 8);
        var id = await AdminAsync<EndpointModelAdministration, Guid>(e => e.AddAsync(admin, input, CancellationToken.None));
        await AdminAsync<ModelAdministration>(m => m.SetGrantsAsync(admin, id, tenantIds, CancellationToken.None));
        return id;
    }

    /// <summary>A member of a new tenant of their own (with <paramref name="policy"/> as its version 1, when given).</summary>
    public async Task<Member> NewMemberAsync(TenantPolicy? policy = null, TenantRoles roles = TenantRoles.Member)
    {
        var tenantName = $"Endpoint {Guid.NewGuid():N}"[..22];
        var user = await Factory.CreateLocalUserAsync($"{Guid.NewGuid():N}@portal.test", Password, roles, tenantName);
        var (tenantId, workspaceId) = await Factory.QueryAsync(async db =>
        {
            var tenant = await db.Tenants.SingleAsync(t => t.Name == tenantName);
            var workspace = new Workspace { TenantId = tenant.Id, Name = "General", CreatedAt = DateTimeOffset.UtcNow };
            db.Workspaces.Add(workspace);
            if (policy is not null)
            {
                policy.TenantId = tenant.Id;
                policy.CreatedByUserId = user.Id;
                db.TenantPolicies.Add(policy);
            }

            await db.SaveChangesAsync();
            return (tenant.Id, workspace.Id);
        });
        return new Member(new ChatCaller(user.Id, tenantId), workspaceId);
    }

    /// <summary>A conversation of the member with the model, stored as the chat page stores one (refused when the tenant may not use the model).</summary>
    public async Task<Guid> NewConversationAsync(Member member, Guid modelId)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ConversationStore>();
        return (await store.CreateAsync(member.Caller, member.WorkspaceId, modelId, "Endpoint chat", CancellationToken.None)).Id;
    }

    /// <summary>Sends <paramref name="text"/> through the pipeline and records the frames; call <see cref="RecordingSink.Completed"/> to wait for the end.</summary>
    public async Task<RecordingSink> SendAsync(Member member, Guid conversationId, string text)
    {
        var sink = new RecordingSink();
        await Generations.StartAsync(member.Caller, conversationId, text, sink, CancellationToken.None);
        return sink;
    }

    public Task<List<Message>> MessagesAsync(Guid conversationId) =>
        Factory.QueryAsync(async db => (await db.Messages.Where(m => m.ConversationId == conversationId).ToListAsync())
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Role).ToList());
}

/// <summary>A member of a test tenant and their workspace.</summary>
public sealed record Member(ChatCaller Caller, Guid WorkspaceId);

/// <summary>What the pipeline sends one answer's door, in order; completes with the last frame.</summary>
public sealed class RecordingSink : IGenerationSink
{
    private readonly TaskCompletionSource<GenerationCompletedFrame> completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource firstTokens = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Text.StringBuilder streamed = new();

    public Task<GenerationCompletedFrame> Completed => completed.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

    public Task FirstTokens => firstTokens.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

    public string Streamed
    {
        get
        {
            lock (streamed)
            {
                return streamed.ToString();
            }
        }
    }

    public Task StateChangedAsync(GenerationStateFrame frame) => Task.CompletedTask;

    public Task TokensAsync(TokenFrame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        lock (streamed)
        {
            streamed.Append(frame.Text);
        }

        firstTokens.TrySetResult();
        return Task.CompletedTask;
    }

    public Task CompletedAsync(GenerationCompletedFrame frame)
    {
        completed.TrySetResult(frame);
        return Task.CompletedTask;
    }
}
