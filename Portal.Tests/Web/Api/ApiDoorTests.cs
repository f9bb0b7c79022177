using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpenAI.Chat;
using Portal.Domain.Policies;
using Portal.Domain.Quotas;
using Portal.Domain.Usage;
using Portal.Tests.Web.Chat;
using Portal.Tests.Web.Policies;
using Portal.Web.Chat;

namespace Portal.Tests.Web.Api;

/// <summary>
/// The official OpenAI .NET client against the portal on loopback: the /v1 door runs the same pipeline
/// as the chat hub and page (policy, quota, storage, usage, audit), answers in OpenAI's shapes, and
/// refuses in OpenAI's error shape with the right status.
/// </summary>
public sealed class ApiDoorTests(ChatApp app) : IClassFixture<ChatApp>
{
    private const string Prompt = "Tell me about llamas.";

    private static readonly int[] NumberStops = [1, 2];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Complete_AnswersThroughThePipeline_UsageEqualsTheStoredRecord_AndTheExchangeIsStored()
    {
        var tenant = await ApiClients.NewTenantAsync(app);

        var completion = (await ApiClients.Chat(app, tenant).CompleteChatAsync(
            [new SystemChatMessage("You answer briefly."), new UserChatMessage(Prompt)],
            new ChatCompletionOptions { MaxOutputTokenCount = 40 },
            Cancel)).Value;

        var text = Assert.Single(completion.Content).Text;
        Assert.NotEmpty(text);
        Assert.Contains(completion.FinishReason, new[] { ChatFinishReason.Stop, ChatFinishReason.Length });
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.TenantId == tenant.TenantId, Cancel));
        Assert.Equal((usage.PromptTokens, usage.CompletionTokens), (completion.Usage.InputTokenCount, completion.Usage.OutputTokenCount));
        Assert.Equal(usage.PromptTokens + usage.CompletionTokens, completion.Usage.TotalTokenCount);
        Assert.InRange(usage.CompletionTokens, 1, 40);
        Assert.Equal(tenant.UserId, usage.UserId); // the key is bound to the member: their quotas and usage

        var conversation = await app.Factory.QueryAsync(db => db.Conversations.Include(c => c.Messages).SingleAsync(c => c.Id == usage.ConversationId, Cancel));
        var workspace = await app.Factory.QueryAsync(db => db.Workspaces.SingleAsync(w => w.Id == conversation.WorkspaceId, Cancel));
        Assert.Equal((ChatGenerations.ApiWorkspaceName, "API · script key", tenant.TenantId), (workspace.Name, conversation.Title, conversation.TenantId));
        var messages = conversation.Messages.OrderBy(m => m.CreatedAt).Select(m => (m.Role.ToString(), m.Content)).ToList();
        Assert.Equal([("User", Prompt), ("Assistant", text)], messages);
    }

    [Fact]
    public async Task Stream_SendsTheHubsAnswer_InChunks_WithUsageEqualToTheRecord()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        var hub = await PolicyDoors.SendAsync(Door.Hub, app, tenant.Tenant, Prompt);

        var (text, finish, usage) = await ApiClients.StreamAsync(ApiClients.Chat(app, tenant), Prompt);

        // Greedy answers (temperature 0): the same prompt through the other door gets the same answer.
        Assert.Equal(hub.Content, text);
        Assert.NotNull(finish);
        Assert.NotNull(usage); // the client asks for stream_options.include_usage
        var record = await app.Factory.QueryAsync(db => db.UsageRecords.Where(u => u.TenantId == tenant.TenantId).OrderByDescending(u => u.CreatedAt).FirstAsync(Cancel));
        Assert.Equal((record.PromptTokens, record.CompletionTokens), (usage.InputTokenCount, usage.OutputTokenCount));
    }

    [Fact]
    public async Task Stream_OnTheWire_IsChunksEndingWithDone_AndNoUsageUnlessAskedFor()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        using var http = ApiClients.Http(app, tenant.Key.Secret);

        var events = await SseAsync(http, new { model = tenant.TinyModel, stream = true, max_tokens = 8, messages = new[] { new { role = "user", content = Prompt } } });

        Assert.Equal("[DONE]", events[^1]);
        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Equal("assistant", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        Assert.Equal("length", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.DoesNotContain(chunks, c => c.TryGetProperty("usage", out _));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
    }

    [Fact]
    public async Task Models_AreTheTenantsGrants_NarrowedByThePolicyAndTheKey_AndAnotherTenantsModelIsUnknown()
    {
        var open = await ApiClients.NewTenantAsync(app);
        Assert.Equal([open.LongModel, open.TinyModel], await ModelIdsAsync(open.Key.Secret));

        var keyLimited = await ApiClients.NewTenantAsync(app, keyModels: [app.LongAnswerModelId]);
        Assert.Equal([keyLimited.LongModel], await ModelIdsAsync(keyLimited.Key.Secret));

        var policyLimited = await ApiClients.NewTenantAsync(app, new TenantPolicy { Name = "Models", AllowedModelIds = [app.LongAnswerModelId] });
        Assert.Equal([policyLimited.LongModel], await ModelIdsAsync(policyLimited.Key.Secret));

        // Tenant A loses its grant of the long model; tenant B keeps it: A's key does not see it, and asking for it is "unknown".
        var a = await ApiClients.NewTenantAsync(app);
        await app.Factory.QueryAsync(db => db.ModelGrants.Where(g => g.TenantId == a.TenantId && g.ModelEntryId == app.LongAnswerModelId).ExecuteDeleteAsync(Cancel));
        Assert.Equal([a.TinyModel], await ModelIdsAsync(a.Key.Secret));
        var unknown = await Assert.ThrowsAsync<ClientResultException>(() => ApiClients.OpenAi(app, a.Key.Secret).GetOpenAIModelClient().GetModelAsync(a.LongModel, Cancel));
        Assert.Equal(404, unknown.Status);
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => ApiClients.Chat(app, a, a.LongModel).CompleteChatAsync([new UserChatMessage(Prompt)], null, Cancel));
        Assert.Equal((404, "model_not_found"), (missing.Status, ErrorOf(missing).GetProperty("code").GetString()));
    }

    [Fact]
    public async Task ModelNotAllowed_ByTheKey_OrByThePolicy_Is403_AndThePolicyRefusalIsAudited()
    {
        var keyLimited = await ApiClients.NewTenantAsync(app, keyModels: [app.LongAnswerModelId]);
        var byKey = await Assert.ThrowsAsync<ClientResultException>(() => ApiClients.Chat(app, keyLimited).CompleteChatAsync([new UserChatMessage(Prompt)], null, Cancel));
        Assert.Equal(403, byKey.Status);
        Assert.Equal("This API key may not use the model '" + keyLimited.TinyModel + "'.", ErrorOf(byKey).GetProperty("message").GetString());

        var policyLimited = await ApiClients.NewTenantAsync(app, new TenantPolicy { Name = "Models", AllowedModelIds = [app.LongAnswerModelId] });
        var byPolicy = await Assert.ThrowsAsync<ClientResultException>(() => ApiClients.Chat(app, policyLimited).CompleteChatAsync([new UserChatMessage(Prompt)], null, Cancel));
        Assert.Equal((403, "model_not_allowed"), (byPolicy.Status, ErrorOf(byPolicy).GetProperty("code").GetString()));
        Assert.StartsWith("Model not allowed: the model “portal-tiny-llama", ErrorOf(byPolicy).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await app.Factory.QueryAsync(db => db.AuditEvents.CountAsync(e => e.TenantId == policyLimited.TenantId && e.Action == "policy.model_not_allowed", Cancel)));
    }

    [Fact]
    public async Task Unauthenticated_BadKey_NoKey_OrOnlyThePortalCookie_Is401_InOpenAisShape()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        var wrongSecret = tenant.Key.Secret[..^4] + (tenant.Key.Secret.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        var bad = await Assert.ThrowsAsync<ClientResultException>(() => ApiClients.OpenAi(app, wrongSecret).GetOpenAIModelClient().GetModelsAsync(Cancel));
        Assert.Equal(401, bad.Status);
        Assert.Equal(("Incorrect API key provided.", "invalid_api_key"), (ErrorOf(bad).GetProperty("message").GetString(), ErrorOf(bad).GetProperty("code").GetString()));

        using var none = ApiClients.Http(app, null);
        using var noKey = await none.GetAsync(new Uri("/v1/models", UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Contains("You didn't provide an API key", await noKey.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

        // The member's portal cookie opens the chat, not the API.
        using var cookie = await tenant.Tenant.Member.Http.GetAsync(new Uri("/v1/models", UriKind.Relative), Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, cookie.StatusCode);
    }

    [Fact]
    public async Task BadRequests_MalformedJson_NonsenseSampling_ContextTooLong_Are400_AndABodyTooLarge_Is413()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        using var http = ApiClients.Http(app, tenant.Key.Secret);

        var malformed = await PostAsync(http, "{\"model\": \"x\", \"messages\": [");
        Assert.Equal((400, "invalid_request_error"), (malformed.Status, malformed.Error.GetProperty("type").GetString()));

        var hot = await PostAsync(http, JsonSerializer.Serialize(new { model = tenant.TinyModel, temperature = 7, messages = new[] { new { role = "user", content = Prompt } } }));
        Assert.Equal((400, "temperature"), (hot.Status, hot.Error.GetProperty("param").GetString()));

        var stop = await PostAsync(http, JsonSerializer.Serialize(new { model = tenant.TinyModel, stop = NumberStops, messages = new[] { new { role = "user", content = Prompt } } }));
        Assert.Equal((400, "stop"), (stop.Status, stop.Error.GetProperty("param").GetString()));

        var role = await PostAsync(http, JsonSerializer.Serialize(new { model = tenant.TinyModel, messages = new[] { new { role = "tool", content = Prompt } } }));
        Assert.Equal((400, "messages[0].role"), (role.Status, role.Error.GetProperty("param").GetString()));

        // Many turns that fit the portal's message length but not the model's context: refused, not trimmed silently.
        var turns = Enumerable.Range(0, 60).Select(i => new { role = i % 2 == 0 ? "user" : "assistant", content = $"Turn {i}: llamas and alpacas live in the Andes of South America." }).Append(new { role = "user", content = Prompt });
        var longContext = await PostAsync(http, JsonSerializer.Serialize(new { model = tenant.TinyModel, messages = turns }));
        Assert.Equal((400, "context_length_exceeded"), (longContext.Status, longContext.Error.GetProperty("code").GetString()));

        var huge = await PostAsync(http, JsonSerializer.Serialize(new { model = tenant.TinyModel, messages = new[] { new { role = "user", content = new string('a', 2 * 1024 * 1024) } } }));
        Assert.Equal(413, huge.Status);

        Assert.Empty(await app.Factory.QueryAsync(db => db.UsageRecords.Where(u => u.TenantId == tenant.TenantId).ToListAsync(Cancel))); // nothing ran
    }

    [Fact]
    public async Task AnApiThePortalDoesNotServe_Is404InOpenAisShape_NotTheHtmlPage()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        using var http = ApiClients.Http(app, tenant.Key.Secret);
        using var content = new StringContent(JsonSerializer.Serialize(new { model = tenant.TinyModel, input = Prompt }), Encoding.UTF8, "application/json");

        using var response = await http.PostAsync(new Uri("/v1/embeddings", UriKind.Relative), content, Cancel);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("error");
        Assert.Equal(("unknown_url", "Unknown request URL: POST /v1/embeddings. This portal serves GET /v1/models and POST /v1/chat/completions."),
            (error.GetProperty("code").GetString(), error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task OverQuota_Is429WithRetryAfter_BeforeAnyChunk_AndRecordedAsTheBrowsersRefusalIs()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        await app.Factory.QueryAsync(db =>
        {
            db.Quotas.Add(new Quota { TenantId = tenant.TenantId, TokensPerDay = 5 });
            return db.SaveChangesAsync(Cancel);
        });
        var browser = await PolicyDoors.SendAsync(Door.Hub, app, tenant.Tenant, Prompt);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => ApiClients.StreamAsync(ApiClients.Chat(app, tenant), Prompt));

        Assert.Equal(429, refused.Status);
        var message = ErrorOf(refused).GetProperty("message").GetString()!;
        Assert.StartsWith("Not sent: your tenant's daily token limit (5 tokens) is reached; it resets at ", message, StringComparison.Ordinal);
        Assert.Contains(message, browser.Notice, StringComparison.Ordinal); // the same sentence the chat shows
        Assert.True(refused.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.InRange(int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 86_400);
        var outcomes = await app.Factory.QueryAsync(db => db.UsageRecords.Where(u => u.TenantId == tenant.TenantId).Select(u => u.Outcome).ToListAsync(Cancel));
        Assert.Equal([GenerationOutcome.RefusedByQuota, GenerationOutcome.RefusedByQuota], outcomes);
    }

    [Fact]
    public async Task InputRule_RefusesWith400NamingTheRule_AsTheChatNamesIt()
    {
        var policy = new TenantPolicy { Name = "Rules", InputRules = [new PolicyRule("codenames", PolicyRuleKind.Word, "falcon")] };
        var tenant = await ApiClients.NewTenantAsync(app, policy);
        var browser = await PolicyDoors.SendAsync(Door.Hub, app, tenant.Tenant, "What is project falcon?");

        // The rule reads every turn the client sends, not only the last.
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => ApiClients.Chat(app, tenant).CompleteChatAsync(
            [new UserChatMessage("What is project falcon?"), new AssistantChatMessage("Something."), new UserChatMessage("Tell me more.")], null, Cancel));

        Assert.Equal((400, "policy_refused"), (refused.Status, ErrorOf(refused).GetProperty("code").GetString()));
        Assert.Equal(Assert.Single(browser.PolicyActions), ErrorOf(refused).GetProperty("message").GetString());
        Assert.Equal(2, await app.Factory.QueryAsync(db => db.AuditEvents.CountAsync(e => e.TenantId == tenant.TenantId && e.Action == "policy.refused", Cancel)));
    }

    [Fact]
    public async Task OutputRule_HoldsBackThePhraseInTheStream_AndTheFinalChunkSaysSo_AsTheBrowserDoes()
    {
        var probe = await ApiClients.NewTenantAsync(app);
        var first = Assert.Single((await ApiClients.Chat(app, probe).CompleteChatAsync([new UserChatMessage(Prompt)], null, Cancel)).Value.Content).Text.Trim();
        var phrase = first[..Math.Min(12, first.Length)];
        Assert.True(phrase.Length >= 4, $"the tiny model's answer was too short: '{first}'");
        var tenant = await ApiClients.NewTenantAsync(app, new TenantPolicy { Name = "Output", OutputRules = [new PolicyRule("probe phrase", PolicyRuleKind.Phrase, phrase)] });
        var browser = await PolicyDoors.SendAsync(Door.Hub, app, tenant.Tenant, Prompt);
        using var http = ApiClients.Http(app, tenant.Key.Secret);

        var events = await SseAsync(http, new { model = tenant.TinyModel, stream = true, messages = new[] { new { role = "user", content = Prompt } } });

        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement).ToList();
        var streamed = string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.DoesNotContain(phrase, streamed, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(browser.Content, streamed);
        var last = chunks[^1];
        Assert.Equal("content_filter", last.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var actions = last.GetProperty("portal_policy_actions").EnumerateArray().Select(a => a.GetProperty("description").GetString()!).ToList();
        Assert.Equal(browser.PolicyActions, actions);
        Assert.Equal(2, await app.Factory.QueryAsync(db => db.AuditEvents.CountAsync(e => e.TenantId == tenant.TenantId && e.Action == "policy.held_back", Cancel)));
    }

    [Fact]
    public async Task PersonalData_IsRedactedBeforeTheModel_AndTheResponseSaysSo()
    {
        var tenant = await ApiClients.NewTenantAsync(app, new TenantPolicy { Name = "Privacy", RedactPii = true });
        using var http = ApiClients.Http(app, tenant.Key.Secret);

        var response = await PostAsync(http, JsonSerializer.Serialize(new { model = tenant.TinyModel, max_tokens = 4, messages = new[] { new { role = "user", content = "Write to jane.doe@example.com today." } } }));

        Assert.Equal(200, response.Status);
        var actions = response.Body.GetProperty("portal_policy_actions").EnumerateArray().Select(a => a.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["Redacted"], actions);
        var question = await app.Factory.QueryAsync(db => db.Messages.SingleAsync(m => m.TenantId == tenant.TenantId && m.Role == Portal.Domain.Chat.MessageRole.User, Cancel));
        Assert.Equal("Write to [e-mail] today.", question.Content);
    }

    [Fact]
    public async Task StorageOff_StoresNoConversation_ButRecordsUsage_AndSaysNotStored()
    {
        var tenant = await ApiClients.NewTenantAsync(app, new TenantPolicy { Name = "No storage", StorePrompts = false });
        using var http = ApiClients.Http(app, tenant.Key.Secret);

        var response = await PostAsync(http, JsonSerializer.Serialize(new { model = tenant.TinyModel, max_tokens = 4, messages = new[] { new { role = "user", content = Prompt } } }));

        Assert.Equal(200, response.Status);
        Assert.Equal(["NotStored"], response.Body.GetProperty("portal_policy_actions").EnumerateArray().Select(a => a.GetProperty("kind").GetString()).ToList());
        var usage = await app.Factory.QueryAsync(db => db.UsageRecords.SingleAsync(u => u.TenantId == tenant.TenantId, Cancel));
        Assert.Null(usage.MessageId);
        Assert.False(await app.Factory.QueryAsync(db => db.Conversations.AnyAsync(c => c.Id == usage.ConversationId, Cancel)));
    }

    [Fact]
    public async Task Sampling_StopSequenceAndMaxTokensReachTheEngine_AndASeedRepeatsAnAnswer()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        var chat = ApiClients.Chat(app, tenant, tenant.LongModel); // its greedy answers run to the token limit
        var full = Assert.Single((await chat.CompleteChatAsync([new UserChatMessage(Prompt)], new ChatCompletionOptions { MaxOutputTokenCount = 60 }, Cancel)).Value.Content).Text;
        Assert.True(full.Length > 24, $"the model's answer was too short: '{full}'");
        var stop = Enumerable.Range(full.Length / 3, full.Length / 3).Select(i => full.Substring(i, 3)).First(s => !s.Contains('\uFFFD', StringComparison.Ordinal) && !s.Contains(' ', StringComparison.Ordinal));

        var stopped = Assert.Single((await chat.CompleteChatAsync([new UserChatMessage(Prompt)], new ChatCompletionOptions { MaxOutputTokenCount = 60, StopSequences = { stop } }, Cancel)).Value.Content).Text;
        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], stopped);

        var three = (await chat.CompleteChatAsync([new UserChatMessage(Prompt)], new ChatCompletionOptions { MaxOutputTokenCount = 3 }, Cancel)).Value;
        Assert.Equal((ChatFinishReason.Length, 3), (three.FinishReason, three.Usage.OutputTokenCount));

#pragma warning disable OPENAI001 // Seed is marked experimental in the client
        var hotSeeded = new ChatCompletionOptions { MaxOutputTokenCount = 30, Temperature = 1.5f, Seed = 4242 };
#pragma warning restore OPENAI001
        var once = Assert.Single((await chat.CompleteChatAsync([new UserChatMessage(Prompt)], hotSeeded, Cancel)).Value.Content).Text;
        var twice = Assert.Single((await chat.CompleteChatAsync([new UserChatMessage(Prompt)], hotSeeded, Cancel)).Value.Content).Text;
        Assert.Equal(once, twice);
    }

    [Fact]
    public async Task SelfCheck_StreamsTheDraft_ThenMarksTheRevision_WhoseTextIsTheBrowsersAnswer()
    {
        var policy = new TenantPolicy { Name = "Constitution", Principles = "Be kind.\nCite a source.", SelfCheckEnabled = true };
        var tenant = await ApiClients.NewTenantAsync(app, policy);
        var browser = await PolicyDoors.SendAsync(Door.Hub, app, tenant.Tenant, Prompt);
        using var http = ApiClients.Http(app, tenant.Key.Secret);

        var events = await SseAsync(http, new { model = tenant.TinyModel, stream = true, messages = new[] { new { role = "user", content = Prompt } } });

        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement).ToList();
        var revision = chunks.FindIndex(c => c.TryGetProperty("portal_revision", out var r) && r.GetBoolean());
        Assert.True(revision > 0, "no chunk marks the revision"); // the tiny model's review is noise: the revision always runs
        var revised = string.Concat(chunks.Skip(revision).Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.Equal(browser.Content, revised);
        var actions = chunks[^1].GetProperty("portal_policy_actions").EnumerateArray().Select(a => a.GetProperty("description").GetString()!).ToList();
        Assert.Equal(browser.PolicyActions, actions);
    }

    [Fact]
    public async Task RequestsPerMinute_Is429RateLimitExceeded_WithRetryAfterWithinTheMinute()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        await app.Factory.QueryAsync(db =>
        {
            db.Quotas.Add(new Quota { TenantId = tenant.TenantId, UserId = tenant.UserId, RequestsPerMinute = 1 });
            return db.SaveChangesAsync(Cancel);
        });
        var chat = ApiClients.Chat(app, tenant);
        await chat.CompleteChatAsync([new UserChatMessage(Prompt)], new ChatCompletionOptions { MaxOutputTokenCount = 2 }, Cancel);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage(Prompt)], new ChatCompletionOptions { MaxOutputTokenCount = 2 }, Cancel));

        Assert.Equal((429, "rate_limit_exceeded"), (refused.Status, ErrorOf(refused).GetProperty("code").GetString()));
        Assert.StartsWith("Not sent: your limit of 1 requests per minute", ErrorOf(refused).GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(refused.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.InRange(int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
    }

    [Fact]
    public async Task ClientGoneMidStream_StopsTheAnswer_AndItIsStoredAndChargedAsStopped()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        // No draining: HttpClient would otherwise read the rest of the answer to reuse the connection.
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = app.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.Key.Secret);
        using var content = new StringContent(JsonSerializer.Serialize(new { model = tenant.LongModel, stream = true, max_tokens = 1000, messages = new[] { new { role = "user", content = Prompt } } }), Encoding.UTF8, "application/json");
        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/completions", UriKind.Relative)) { Content = content })
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancel));
            var tokens = 0;
            while (tokens < 2 && await reader.ReadLineAsync(Cancel) is { } line)
            {
                tokens += line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"role\"", StringComparison.Ordinal) ? 1 : 0;
            }
        } // the client hangs up after the first tokens

        var usage = await WaitForAsync(() => app.Factory.QueryAsync(db => db.UsageRecords.FirstOrDefaultAsync(u => u.TenantId == tenant.TenantId, Cancel)));
        Assert.Equal(GenerationOutcome.Stopped, usage.Outcome);
        Assert.InRange(usage.CompletionTokens, 1, 999);
        var answer = await app.Factory.QueryAsync(db => db.Messages.SingleAsync(m => m.Id == usage.MessageId, Cancel));
        Assert.Equal(Portal.Domain.Chat.MessageStatus.Stopped, answer.Status);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        for (var i = 0; i < 600; i++)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(100, Cancel);
        }

        throw new TimeoutException("the usage record did not appear within a minute");
    }

    private async Task<List<string>> ModelIdsAsync(string key) =>
        [.. (await ApiClients.OpenAi(app, key).GetOpenAIModelClient().GetModelsAsync(Cancel)).Value.Select(m => m.Id).Order(StringComparer.Ordinal)];

    internal static JsonElement ErrorOf(ClientResultException ex) =>
        JsonDocument.Parse(ex.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");

    private static async Task<(int Status, JsonElement Body, JsonElement Error)> PostAsync(HttpClient http, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content, Cancel);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel)).RootElement;
        return ((int)response.StatusCode, body, body.TryGetProperty("error", out var error) ? error : default);
    }

    /// <summary>The data lines of a server-sent event stream, in order.</summary>
    private static async Task<List<string>> SseAsync(HttpClient http, object request)
    {
        using var content = new StringContent(JsonSerializer.Serialize(request), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), content, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        return [.. text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e.StartsWith("data: ", StringComparison.Ordinal) ? e[6..] : throw new InvalidOperationException($"not an SSE data line: {e}"))];
    }
}
