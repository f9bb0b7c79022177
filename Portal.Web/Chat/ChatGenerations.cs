using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Usage;
using Portal.Inference.Engine;
using Portal.Web.Models;

namespace Portal.Web.Chat;

/// <summary>
/// Runs chat answers: stores the person's message, trims the history to the model's context, streams
/// the answer to an <see cref="IGenerationSink"/> in coalesced frames, and stores the answer (also
/// when stopped or failed) with a usage record. One answer at a time per conversation. Singleton:
/// the hub and the Blazor pages share it, so Stop and access revocation reach every running answer.
/// </summary>
public sealed partial class ChatGenerations(
    IServiceScopeFactory scopes,
    IInferenceEngine engine,
    ModelCatalog catalog,
    IOptions<ChatOptions> options,
    TimeProvider time,
    ILogger<ChatGenerations> logger)
{
    private readonly ConcurrentDictionary<Guid, ActiveGeneration> byConversation = new();
    private long startOrder;

    /// <summary>Generations running now (all tenants).</summary>
    public int ActiveCount => byConversation.Count;

    /// <summary>True while an answer is being written in the conversation.</summary>
    public bool IsGenerating(Guid conversationId) => byConversation.ContainsKey(conversationId);

    /// <summary>
    /// Stores <paramref name="text"/> as the caller's message (or, with null, regenerates the last
    /// answer: the old one is deleted) and starts the answer. Refusals throw
    /// <see cref="ChatRequestException"/> (another tenant's or person's conversation:
    /// <see cref="ConversationNotFoundException"/>) and store nothing. The answer stops when
    /// <paramref name="lifetime"/> is cancelled (the connection or page went away).
    /// </summary>
    public async Task<GenerationStarted> StartAsync(ChatCaller caller, Guid conversationId, string? text, IGenerationSink sink, CancellationToken lifetime)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(sink);
        var settings = options.Value;
        if (text is not null)
        {
            text = text.Trim();
            if (text.Length == 0)
            {
                throw new ChatRequestException("Write a message first.");
            }

            if (text.Length > settings.MaxMessageLength)
            {
                throw new ChatRequestException($"Your message has {text.Length} characters; the most is {settings.MaxMessageLength}.");
            }
        }

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(caller.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var conversation = await ConversationStore.FindOwnedAsync(db, caller, conversationId, lifetime);
        var modelEntryId = conversation.ModelEntryId ?? throw new ChatRequestException("This conversation has no model; start a new one.");

        var generation = new ActiveGeneration(conversationId, caller, modelEntryId, Interlocked.Increment(ref startOrder), sink, lifetime);
        if (!byConversation.TryAdd(conversationId, generation))
        {
            generation.Dispose();
            throw new ChatRequestException("An answer is still being written in this conversation; stop it or wait for it.");
        }

        try
        {
            var (request, history, userMessageId) = await PrepareAsync(db, caller, conversation, text, lifetime);
            generation.OmittedMessages = history.OmittedMessages;
            generation.State = PositionInQueue(generation) >= (catalog.Loaded(modelEntryId)?.Slots ?? 1) ? GenerationState.Queued : GenerationState.Thinking;
            _ = Task.Run(() => RunAsync(generation, request, history), CancellationToken.None);
            return new GenerationStarted(generation.Id, conversationId, userMessageId, generation.State, history.OmittedMessages);
        }
        catch
        {
            byConversation.TryRemove(conversationId, out _);
            generation.Dispose();
            throw;
        }
    }

    /// <summary>Stops the answer being written in the caller's conversation; false when none runs.</summary>
    public async Task<bool> StopAsync(ChatCaller caller, Guid conversationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using (var scope = scopes.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(caller.TenantId);
            await ConversationStore.FindOwnedAsync(scope.ServiceProvider.GetRequiredService<PortalDbContext>(), caller, conversationId, cancellationToken);
        }

        if (byConversation.TryGetValue(conversationId, out var generation) && generation.Caller == caller)
        {
            generation.Cancel();
            return true;
        }

        return false;
    }

    /// <summary>Stops every answer of <paramref name="userId"/> (in <paramref name="tenantId"/>, or everywhere when null).</summary>
    public int StopAllOf(Guid userId, Guid? tenantId)
    {
        var stopped = 0;
        foreach (var generation in byConversation.Values.Where(g => g.Caller.UserId == userId && (tenantId is null || g.Caller.TenantId == tenantId)))
        {
            generation.Cancel();
            stopped++;
        }

        return stopped;
    }

    private async Task<(GenerationRequest Request, TrimmedHistory History, Guid? UserMessageId)> PrepareAsync(
        PortalDbContext db, ChatCaller caller, Conversation conversation, string? text, CancellationToken cancellationToken)
    {
        var modelEntryId = conversation.ModelEntryId!.Value;
        var entry = await db.ModelEntries.FirstOrDefaultAsync(m => m.Id == modelEntryId && m.IsEnabled, cancellationToken);
        if (entry is null || !await db.ModelGrants.AnyAsync(g => g.ModelEntryId == modelEntryId, cancellationToken))
        {
            throw new ChatRequestException("The model of this conversation is no longer available to your tenant; start a new conversation with another model.");
        }

        var loaded = catalog.Loaded(modelEntryId)
            ?? throw new ChatRequestException($"The model '{entry.Name}' is not loaded at the moment; ask an administrator to load it.");

        var messages = await db.Messages.Where(m => m.ConversationId == conversation.Id).ToListAsync(cancellationToken);
        messages = [.. messages.OrderBy(m => m.CreatedAt).ThenBy(m => m.Role)];
        Message? userMessage = null;
        var now = time.GetUtcNow();
        if (text is null)
        {
            // Regenerate: the answers after the person's last message are replaced.
            var lastUser = messages.FindLastIndex(m => m.Role == MessageRole.User);
            if (lastUser < 0)
            {
                throw new ChatRequestException("There is no message of yours to answer again.");
            }

            db.Messages.RemoveRange(messages.Skip(lastUser + 1));
            messages.RemoveRange(lastUser + 1, messages.Count - lastUser - 1);
        }
        else
        {
            userMessage = new Message { TenantId = caller.TenantId, ConversationId = conversation.Id, Role = MessageRole.User, Content = text, CreatedAt = now };
            messages.Add(userMessage);
        }

        var engineId = ModelCatalog.EngineId(modelEntryId);
        var answerRoom = Math.Min(options.Value.MaxAnswerTokens, loaded.ContextSize / 2);
        TrimmedHistory history;
        try
        {
            history = ChatHistoryTrimmer.Trim(messages, turns => engine.CountPromptTokens(engineId, turns), loaded.ContextSize - answerRoom);
        }
        catch (InferenceException ex)
        {
            throw new ChatRequestException(ex.Message);
        }

        // The person's message is stored before the generation starts.
        if (userMessage is not null)
        {
            db.Messages.Add(userMessage);
            if (conversation.Title == ConversationStore.NewConversationTitle && ConversationStore.CleanTitle(text) is { } title)
            {
                conversation.Title = title.Length <= 60 ? title : title[..60] + "…";
            }
        }

        conversation.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        var request = new GenerationRequest
        {
            ModelId = engineId,
            Messages = history.Messages,
            MaxTokens = answerRoom,
            Sampling = new SamplingSettings { Temperature = options.Value.Temperature },
        };
        return (request, history, userMessage?.Id);
    }

    private async Task RunAsync(ActiveGeneration generation, GenerationRequest request, TrimmedHistory history)
    {
        var startedAt = time.GetTimestamp();
        var frames = 0;
        var sequence = 0;
        GenerationResult result;
        using (catalog.TrackGeneration(generation.ModelEntryId))
        {
            await SendAsync(generation, sink => sink.StateChangedAsync(new GenerationStateFrame(generation.Id, generation.ConversationId, generation.State)));
            try
            {
                var running = engine.GenerateAsync(request, generation.Token);
                try
                {
                    frames = await FrameCoalescer.PumpAsync(
                        running,
                        TimeSpan.FromMilliseconds(options.Value.FrameIntervalMilliseconds),
                        time,
                        (text, tokens) => SendTokensAsync(generation, ++sequence, text, tokens));
                }
                catch (InferenceException)
                {
                    // The stream ended with the engine's error; Completion carries it with the text so far.
                }

                result = await running.Completion;
            }
            catch (InferenceException ex)
            {
                result = new GenerationResult(FinishReason.Error, "", history.PromptTokens, 0, null, time.GetElapsedTime(startedAt), ex.Message);
            }
        }

        try
        {
            var (messageId, state) = await StoreAsync(generation, result);
            var frame = Completed(generation, messageId, state, result, frames);
            LogFinished(generation.ConversationId, state, result.CompletionTokens, frame.TokensPerSecond, frames);
            await SendAsync(generation, sink => sink.CompletedAsync(frame));
        }
        finally
        {
            byConversation.TryRemove(generation.ConversationId, out _);
            generation.Dispose();
            await PromoteQueuedAsync(generation.ModelEntryId);
        }
    }

    private Task SendTokensAsync(ActiveGeneration generation, int sequence, string text, int completionTokens) =>
        SendAsync(generation, async sink =>
        {
            if (generation.State != GenerationState.Streaming)
            {
                generation.State = GenerationState.Streaming;
                await sink.StateChangedAsync(new GenerationStateFrame(generation.Id, generation.ConversationId, GenerationState.Streaming));
            }

            await sink.TokensAsync(new TokenFrame(generation.Id, generation.ConversationId, sequence, text, completionTokens));
        });

    /// <summary>Stores the answer as far as it got, and its usage record, in one save with one timestamp.</summary>
    private async Task<(Guid MessageId, GenerationState State)> StoreAsync(ActiveGeneration generation, GenerationResult result)
    {
        var state = result.FinishReason switch
        {
            FinishReason.Stop or FinishReason.Length => GenerationState.Completed,
            FinishReason.Cancelled => GenerationState.Stopped,
            _ => GenerationState.Failed,
        };
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(generation.Caller.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var now = time.GetUtcNow();
        var message = new Message
        {
            TenantId = generation.Caller.TenantId,
            ConversationId = generation.ConversationId,
            Role = MessageRole.Assistant,
            Content = result.Text,
            Status = state switch
            {
                GenerationState.Stopped => MessageStatus.Stopped,
                GenerationState.Failed => MessageStatus.Failed,
                _ => MessageStatus.Complete,
            },
            Error = state == GenerationState.Failed ? result.Error ?? "The generation failed." : null,
            PromptTokens = result.PromptTokens,
            CompletionTokens = result.CompletionTokens,
            CreatedAt = now,
        };
        db.Messages.Add(message);
        if (await db.Conversations.FirstOrDefaultAsync(c => c.Id == generation.ConversationId) is { } conversation)
        {
            conversation.UpdatedAt = now;
        }

        db.UsageRecords.Add(new UsageRecord
        {
            TenantId = generation.Caller.TenantId,
            UserId = generation.Caller.UserId,
            ModelEntryId = generation.ModelEntryId,
            ConversationId = generation.ConversationId,
            PromptTokens = result.PromptTokens,
            CompletionTokens = result.CompletionTokens,
            TimeToFirstToken = result.TimeToFirstToken ?? TimeSpan.Zero,
            Duration = result.TotalTime,
            TokensPerSecond = TokensPerSecond(result),
            Outcome = result.FinishReason switch
            {
                FinishReason.Stop => GenerationOutcome.Completed,
                FinishReason.Length => GenerationOutcome.Length,
                FinishReason.Cancelled => GenerationOutcome.Stopped,
                _ => GenerationOutcome.Failed,
            },
            CreatedAt = now,
        });
        await db.SaveChangesAsync(CancellationToken.None);
        return (message.Id, state);
    }

    private static GenerationCompletedFrame Completed(ActiveGeneration generation, Guid messageId, GenerationState state, GenerationResult result, int frames) => new(
        generation.Id,
        generation.ConversationId,
        messageId,
        state,
        result.FinishReason.ToString(),
        result.Text,
        state == GenerationState.Failed ? result.Error ?? "The generation failed." : null,
        result.PromptTokens,
        result.CompletionTokens,
        result.TimeToFirstToken?.TotalMilliseconds ?? 0,
        result.TotalTime.TotalMilliseconds,
        TokensPerSecond(result),
        generation.OmittedMessages,
        frames);

    /// <summary>Decoding speed: the tokens after the first over the time after the first.</summary>
    private static double TokensPerSecond(GenerationResult result)
    {
        var decoding = result.TotalTime - (result.TimeToFirstToken ?? result.TotalTime);
        return result.CompletionTokens > 1 && decoding > TimeSpan.Zero ? (result.CompletionTokens - 1) / decoding.TotalSeconds : 0;
    }

    /// <summary>Generations of the same model started earlier and still running.</summary>
    private int PositionInQueue(ActiveGeneration generation) =>
        byConversation.Values.Count(g => g.ModelEntryId == generation.ModelEntryId && g.Order < generation.Order);

    /// <summary>A slot came free: queued answers that now fit are told they are being read.</summary>
    private async Task PromoteQueuedAsync(Guid modelEntryId)
    {
        var slots = catalog.Loaded(modelEntryId)?.Slots ?? 1;
        foreach (var waiting in byConversation.Values.Where(g => g.ModelEntryId == modelEntryId && g.State == GenerationState.Queued).OrderBy(g => g.Order))
        {
            if (PositionInQueue(waiting) < slots)
            {
                waiting.State = GenerationState.Thinking;
                await SendAsync(waiting, sink => sink.StateChangedAsync(new GenerationStateFrame(waiting.Id, waiting.ConversationId, GenerationState.Thinking)));
            }
        }
    }

    /// <summary>Calls the sink; a client that went away must not cost the stored answer, so its failure is logged, not thrown.</summary>
    private async Task SendAsync(ActiveGeneration generation, Func<IGenerationSink, Task> send)
    {
        try
        {
            await generation.SinkLock.WaitAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // finished meanwhile
        }

        try
        {
            await send(generation.Sink);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSinkFailed(ex, generation.ConversationId);
        }
        finally
        {
            try
            {
                generation.SinkLock.Release();
            }
            catch (ObjectDisposedException)
            {
                // Disposed by its own task after the last frame.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Answer in conversation {ConversationId} ended {State}: {Tokens} tokens, {TokensPerSecond:F1} tokens/s, {Frames} frames")]
    private partial void LogFinished(Guid conversationId, GenerationState state, int tokens, double tokensPerSecond, int frames);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not deliver a frame of the answer in conversation {ConversationId}; the answer goes on and is stored")]
    private partial void LogSinkFailed(Exception exception, Guid conversationId);
}
