using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Domain.Policies;
using Portal.Web.Accounting;
using Portal.Web.Chat;
using Portal.Web.Models;

namespace Portal.Web.Api;

/// <summary>
/// <c>POST /v1/chat/completions</c>: translates OpenAI's request into <see cref="SuppliedChat"/> and the
/// pipeline's frames back into a <c>chat.completion</c> or a stream of <c>chat.completion.chunk</c> events.
/// Every rule (access, policy, quota, admission, storage, usage, audit) is the pipeline's, as for the chat page.
/// </summary>
internal static class ChatCompletionsEndpoint
{
    public static async Task HandleAsync(
        HttpContext http, ChatGenerations generations, ApiModels models, ModelCatalog catalog,
        IOptions<ApiOptions> apiOptions, IOptions<ChatOptions> chatOptions, TimeProvider time)
    {
        var key = http.Features.Get<ApiKeyCaller>() ?? throw new InvalidOperationException("The API key handler did not run.");
        var aborted = http.RequestAborted;
        try
        {
            var request = await CompletionRequestReader.ReadAsync(http, apiOptions.Value, chatOptions.Value.Temperature);
            var model = await models.ResolveAsync(key, request.Model, aborted);
            if (!model.IsEndpoint && !catalog.IsLoaded(model.Id))
            {
                throw new OpenAiErrorException(503, $"The model '{model.ApiName}' is not loaded at the moment; ask an administrator to load it.", "server_error", "model", "model_not_loaded");
            }

            var sink = new ApiGenerationSink();
            var started = await StartAsync(generations, key, model, request, sink, time, aborted);
            var created = time.GetUtcNow().ToUnixTimeSeconds();
            if (started.State == GenerationState.Refused)
            {
                var refused = await sink.CompletedAsync(aborted);
                var rule = refused?.PolicyActions?.FirstOrDefault(a => a.Kind is nameof(PolicyActionKind.Refused) or nameof(PolicyActionKind.ModelNotAllowed));
                throw new OpenAiErrorException(400, rule?.Description ?? "Refused by the tenant's policy.", param: "messages", code: "policy_refused");
            }

            var reply = new Reply($"chatcmpl-{started.GenerationId:N}", created, model.ApiName, started.InputActions ?? []);
            if (request.Stream)
            {
                await ChatCompletionStream.WriteAsync(http, sink, reply, request.IncludeUsage);
            }
            else
            {
                await CompleteAsync(http, sink, reply);
            }
        }
        catch (OpenAiErrorException ex)
        {
            if (ex.RetryAfter is { } wait)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            await OpenAiErrors.WriteAsync(http, ex.Status, ex.Error);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away: the pipeline stops the answer and stores it as stopped.
        }
    }

    /// <summary>The pipeline's refusals before generation, as OpenAI's statuses.</summary>
    private static async Task<GenerationStarted> StartAsync(
        ChatGenerations generations, ApiKeyCaller key, ApiModel model, CompletionRequest request, ApiGenerationSink sink, TimeProvider time, CancellationToken aborted)
    {
        var chat = new SuppliedChat(model.Id, $"API · {key.KeyName}", request.Messages, request.MaxTokens, request.Sampling, request.StopSequences);
        try
        {
            return await generations.StartAsync(key.Caller, chat, sink, aborted);
        }
        catch (QuotaExceededException ex)
        {
            var type = ex.Limit.IsTokens ? "insufficient_quota" : "rate_limit_exceeded";
            throw new OpenAiErrorException(429, ex.Message, type, code: type) { RetryAfter = ex.Limit.EndsAt is { } ends ? ends - time.GetUtcNow() : TimeSpan.FromSeconds(1) };
        }
        catch (ChatAccessEndedException ex)
        {
            throw new OpenAiErrorException(401, ex.Message, code: "access_ended");
        }
        catch (ContextTooLongException ex)
        {
            throw new OpenAiErrorException(400, ex.Message, param: "messages", code: "context_length_exceeded");
        }
        catch (ChatRequestException ex)
        {
            throw new OpenAiErrorException(400, ex.Message, param: "messages");
        }
    }

    private static async Task CompleteAsync(HttpContext http, ApiGenerationSink sink, Reply reply)
    {
        var done = await sink.CompletedAsync(http.RequestAborted);
        if (done is null || done.State == GenerationState.Stopped)
        {
            return; // only when the request was aborted
        }

        if (done.State == GenerationState.Failed)
        {
            throw new OpenAiErrorException(500, done.Error ?? "The generation failed.", "server_error");
        }

        var completion = new ChatCompletion(
            reply.Id, "chat.completion", reply.Created, reply.Model,
            [new CompletionChoice(0, new AnswerMessage("assistant", done.Content), Reply.FinishReason(done))],
            Reply.Usage(done),
            reply.PolicyActions(done));
        await http.Response.WriteAsJsonAsync(completion, OpenAiErrors.Json, http.RequestAborted);
    }
}

/// <summary>What every part of one reply shares: its id, time and model, and the question's policy actions.</summary>
internal sealed record Reply(string Id, long Created, string Model, IReadOnlyList<PolicyActionView> InputActions)
{
    public static UsageObject Usage(GenerationCompletedFrame done) => new(done.PromptTokens, done.CompletionTokens, done.PromptTokens + done.CompletionTokens);

    /// <summary>OpenAI's finish reason; "content_filter" when an output rule held text back.</summary>
    public static string FinishReason(GenerationCompletedFrame done) =>
        done.PolicyActions?.Any(a => a.Kind == nameof(PolicyActionKind.HeldBack)) == true ? "content_filter"
        : done.FinishReason == nameof(Portal.Inference.Engine.FinishReason.Length) ? "length"
        : "stop";

    /// <summary>Everything the policy did to the question and the answer; null when nothing (the field is left out).</summary>
    public IReadOnlyList<PolicyActionView>? PolicyActions(GenerationCompletedFrame done)
    {
        List<PolicyActionView> all = [.. InputActions, .. done.PolicyActions ?? []];
        return all.Count == 0 ? null : all;
    }
}

/// <summary>Server-sent events in OpenAI's chunk shape, ending with <c>data: [DONE]</c>.</summary>
internal static class ChatCompletionStream
{
    public static async Task WriteAsync(HttpContext http, ApiGenerationSink sink, Reply reply, bool includeUsage)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await SendAsync(http, Chunk(reply, new ChunkDelta("assistant", "")));
        await foreach (var frame in sink.Frames.ReadAllAsync(http.RequestAborted))
        {
            switch (frame)
            {
                case TokenFrame tokens:
                    await SendAsync(http, Chunk(reply, new ChunkDelta(Content: tokens.Text)));
                    break;
                case GenerationStateFrame { State: GenerationState.Revising }:
                    // The self-check revises the draft: the text after this chunk replaces the text before it.
                    await SendAsync(http, Chunk(reply, new ChunkDelta()) with { PortalRevision = true });
                    break;
                case GenerationCompletedFrame done:
                    await FinishAsync(http, reply, done, includeUsage);
                    return;
            }
        }
    }

    private static async Task FinishAsync(HttpContext http, Reply reply, GenerationCompletedFrame done, bool includeUsage)
    {
        if (done.State == GenerationState.Stopped)
        {
            return; // the client went away
        }

        if (done.State == GenerationState.Failed)
        {
            await SendAsync(http, new OpenAiErrorBody(new OpenAiError(done.Error ?? "The generation failed.", "server_error", null, null)));
        }
        else
        {
            await SendAsync(http, new ChatCompletionChunk(reply.Id, "chat.completion.chunk", reply.Created, reply.Model,
                [new ChunkChoice(0, new ChunkDelta(), Reply.FinishReason(done))], PortalPolicyActions: reply.PolicyActions(done)));
            if (includeUsage)
            {
                await SendAsync(http, new ChatCompletionChunk(reply.Id, "chat.completion.chunk", reply.Created, reply.Model, [], Reply.Usage(done)));
            }
        }

        await http.Response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    private static ChatCompletionChunk Chunk(Reply reply, ChunkDelta delta) =>
        new(reply.Id, "chat.completion.chunk", reply.Created, reply.Model, [new ChunkChoice(0, delta, null)]);

    private static async Task SendAsync<T>(HttpContext http, T payload)
    {
        await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(payload, OpenAiErrors.Json)}\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }
}
