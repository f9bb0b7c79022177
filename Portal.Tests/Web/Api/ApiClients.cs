using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using Portal.Domain.Policies;
using Portal.Inference.Gguf;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Policies;
using Portal.Web.Admin;
using Portal.Web.Api;

namespace Portal.Tests.Web.Api;

/// <summary>A tenant of its own with a member, an API key acting as that member, and the official OpenAI client on it.</summary>
public sealed record ApiTenant(PolicyTenant Tenant, CreatedApiKey Key, string TinyModel, string LongModel)
{
    public Guid UserId => Tenant.Member.User.Id;

    public Guid TenantId => Tenant.TenantId;
}

public static class ApiClients
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A new tenant (the tiny and the long-answer models granted; <paramref name="policy"/> when given) and a key bound to its member.</summary>
    public static async Task<ApiTenant> NewTenantAsync(ChatApp app, TenantPolicy? policy = null, IReadOnlyList<Guid>? keyModels = null, DateTimeOffset? expires = null)
    {
        var tenant = await PolicyDoors.NewTenantAsync(app, policy);
        var key = await CreateKeyAsync(app, tenant, "script key", tenant.Member.User.Id, keyModels ?? [], expires);
        var names = await app.Factory.QueryAsync(db => db.ModelEntries.Select(m => new { m.Id, m.Name }).ToListAsync(Cancel));
        return new ApiTenant(tenant, key, names.Single(m => m.Name.StartsWith(TestModels.TinyLlamaName, StringComparison.Ordinal)).Name, names.Single(m => m.Id == app.LongAnswerModelId).Name);
    }

    /// <summary>A key made as the keys page makes it, by an admin of the tenant (the member, acting as its admin here).</summary>
    public static async Task<CreatedApiKey> CreateKeyAsync(ChatApp app, PolicyTenant tenant, string name, Guid? boundTo, IReadOnlyList<Guid> models, DateTimeOffset? expires = null)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var admin = new AdminActor(tenant.Member.User.Id, false, tenant.TenantId, true);
        return await scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>().CreateAsync(admin, new ApiKeyDraft(name, boundTo, expires, models), Cancel);
    }

    public static OpenAIClient OpenAi(ChatApp app, string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = new Uri(app.BaseAddress, "/v1"),
        // A refusal is what the tests look at: the client must not wait and retry it.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = TimeSpan.FromMinutes(3),
    });

    public static ChatClient Chat(ChatApp app, ApiTenant tenant, string? model = null) => OpenAi(app, tenant.Key.Secret).GetChatClient(model ?? tenant.TinyModel);

    /// <summary>A plain HTTP client for what the OpenAI client does not send (malformed bodies, a missing key).</summary>
    public static HttpClient Http(ChatApp app, string? key)
    {
        var http = new HttpClient { BaseAddress = app.BaseAddress, Timeout = TimeSpan.FromMinutes(3) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>The stream as the client reads it: the text, the finish reason and the usage of the last update.</summary>
    public static async Task<(string Text, ChatFinishReason? Finish, ChatTokenUsage? Usage)> StreamAsync(ChatClient chat, string prompt, ChatCompletionOptions? options = null)
    {
        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage(prompt)], options, Cancel))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        return (text.ToString(), finish, usage);
    }
}
