using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Inference.Engine;
using Portal.Web.Accounting;
using Portal.Web.Audit;
using Portal.Web.Models;
using Portal.Web.Operations;
using Portal.Web.Policies;

namespace Portal.Web.Chat;

/// <summary>
/// The one generation pipeline that every door calls (the chat page in its circuit, the chat hub, and
/// the /v1 API through <see cref="StartAsync(ChatCaller, SuppliedChat, IGenerationSink, CancellationToken)"/>): a door only translates its transport into <see cref="StartAsync(ChatCaller, Guid, string?, IGenerationSink, CancellationToken)"/> and an
/// <see cref="IGenerationSink"/>. The stages run in this order, and each rule lives in one of them:
/// <list type="number">
/// <item>caller access, read from the database on every call (<see cref="ChatAccess"/>);</item>
/// <item>input policy: allowed model, input rules, personal data redacted (<see cref="InputPolicy"/>);</item>
/// <item>quota reservation (<see cref="QuotaReservation"/>);</item>
/// <item>generation, one answer at a time per conversation, with the policy's system prompt first;</item>
/// <item>output policy on the stream (<see cref="OutputRuleFilter"/>), and the self-check pass;</item>
/// <item>storage (<see cref="ConversationStore"/>), unless the policy says prompts are not stored;</item>
/// <item>settlement and the usage record, tied to the answer;</item>
/// <item>audit: every policy action, in the same save as the answer.</item>
/// </list>
/// Singleton: the hub and the pages share it, so Stop and access revocation reach every running answer.
/// </summary>
public sealed partial class ChatGenerations(
    IServiceScopeFactory scopes,
    GenerationBackends backends,
    ModelCatalog catalog,
    ChatAccess access,
    QuotaReservation quota,
    AdmissionGate admission,
    AuditLog audit,
    PortalMetrics metrics,
    IOptions<ChatOptions> options,
    TimeProvider time,
    ILogger<ChatGenerations> logger)
{
    /// <summary>Most tokens the self-check's review may take.</summary>
    private const int MaxCritiqueTokens = 256;

    private readonly ConcurrentDictionary<Guid, ActiveGeneration> byConversation = new();
    private long startOrder;

    /// <summary>Generations running now (all tenants).</summary>
    public int ActiveCount => byConversation.Count;

    /// <summary>True while an answer is being written in the conversation.</summary>
    public bool IsGenerating(Guid conversationId) => byConversation.ContainsKey(conversationId);

    /// <summary>
    /// Runs the pipeline for <paramref name="text"/> as the caller's next message (or, with null,
    /// regenerates the last answer: the old one is deleted). Requests that cannot start throw
    /// <see cref="ChatRequestException"/> and store nothing (another tenant's or person's conversation:
    /// <see cref="ConversationNotFoundException"/>; access ended: <see cref="ChatAccessEndedException"/>).
    /// A policy refusal is not an exception: it is an answer in the conversation, with state
    /// <see cref="GenerationState.Refused"/>, naming the policy and rule. The answer stops when
    /// <paramref name="lifetime"/> is cancelled (the connection or page went away).
    /// </summary>
    public async Task<GenerationStarted> StartAsync(ChatCaller caller, Guid conversationId, string? text, IGenerationSink sink, CancellationToken lifetime)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(sink);
        metrics.Requested(sink);
        text = CheckLength(text);

        // Stage 1: caller access, from the database now, not from the cookie.
        if (!await access.CanChatAsync(caller, lifetime))
        {
            throw new ChatAccessEndedException();
        }

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(caller.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var conversation = await ConversationStore.FindOwnedAsync(db, caller, conversationId, lifetime);
        return await LaunchAsync(db, caller, conversation, text, null, sink, lifetime);
    }

    /// <summary>Registers the generation, runs stages 2 and 3 and starts the rest in the background.</summary>
    private async Task<GenerationStarted> LaunchAsync(
        PortalDbContext db, ChatCaller caller, Conversation conversation, string? text, SuppliedChat? supplied, IGenerationSink sink, CancellationToken lifetime)
    {
        var conversationId = conversation.Id;
        var modelEntryId = conversation.ModelEntryId ?? throw new ChatRequestException("This conversation has no model; start a new one.");

        var generation = new ActiveGeneration(conversationId, caller, modelEntryId, Interlocked.Increment(ref startOrder), sink, lifetime);
        if (!byConversation.TryAdd(conversationId, generation))
        {
            generation.Dispose();
            throw new ChatRequestException("An answer is still being written in this conversation; stop it or wait for it.");
        }

        try
        {
            var plan = await PrepareAsync(db, caller, conversation, text, lifetime, supplied);
            generation.OmittedMessages = plan.History?.OmittedMessages ?? 0;
            generation.State = plan.Refusal is not null ? GenerationState.Refused
                : PositionInQueue(generation) >= backends.Slots(modelEntryId) ? GenerationState.Queued : GenerationState.Thinking;
            _ = Task.Run(() => RunAsync(generation, plan), CancellationToken.None);
            return new GenerationStarted(generation.Id, conversationId, plan.QuestionId, generation.State, generation.OmittedMessages,
                plan.QuestionText, PolicyActionView.From(plan.InputActions.Where(a => a.Kind == PolicyActionKind.Redacted)), SelfCheckMode(plan.Policy));
        }
        catch
        {
            Unregister(generation);
            generation.Dispose();
            throw;
        }
    }

    /// <summary>Ends the conversation's registration of <paramref name="generation"/> (never a later generation's).</summary>
    private void Unregister(ActiveGeneration generation) =>
        byConversation.TryRemove(new KeyValuePair<Guid, ActiveGeneration>(generation.ConversationId, generation));

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

    /// <summary>Stops every answer in <paramref name="tenantId"/> (the tenant was suspended).</summary>
    public int StopAllInTenant(Guid tenantId)
    {
        var running = byConversation.Values.Where(g => g.Caller.TenantId == tenantId).ToList();
        running.ForEach(g => g.Cancel());
        return running.Count;
    }

    /// <summary>"draft-then-revision", "hold-until-checked", or null when the policy has no self-check.</summary>
    public static string? SelfCheckMode(TenantPolicy? policy) =>
        policy is { SelfCheckEnabled: true } && policy.PrincipleList.Count > 0
            ? policy.SelfCheckStreaming == SelfCheckStreaming.HoldUntilChecked ? "hold-until-checked" : "draft-then-revision"
            : null;

    private string? CheckLength(string? text)
    {
        if (text is null)
        {
            return null;
        }

        text = text.Trim();
        if (text.Length == 0)
        {
            throw new ChatRequestException("Write a message first.");
        }

        var most = options.Value.MaxMessageLength;
        return text.Length <= most ? text : throw new ChatRequestException($"Your message has {text.Length} characters; the most is {most}.");
    }

    /// <summary>Stages 2 and 3, and the question's storage: what the generation will run, or the refusal it will store.</summary>
    private async Task<GenerationPlan> PrepareAsync(PortalDbContext db, ChatCaller caller, Conversation conversation, string? text, CancellationToken cancellationToken, SuppliedChat? supplied = null)
    {
        var modelEntryId = conversation.ModelEntryId!.Value;
        var entry = await db.ModelEntries.FirstOrDefaultAsync(m => m.Id == modelEntryId && m.IsEnabled, cancellationToken);
        if (entry is null || !await db.ModelGrants.AnyAsync(g => g.ModelEntryId == modelEntryId, cancellationToken))
        {
            throw new ChatRequestException("The model of this conversation is no longer available to your tenant; start a new conversation with another model.");
        }

        metrics.SawModel(entry.Id, entry.Name);

        var policy = await PolicyStore.CurrentAsync(db, cancellationToken);
        var messages = supplied is null ? await db.Messages.Where(m => m.ConversationId == conversation.Id).ToListAsync(cancellationToken) : [];
        messages = [.. messages.OrderBy(m => m.CreatedAt).ThenBy(m => m.Role)];
        var now = time.GetUtcNow();
        var store = policy?.StorePrompts ?? true;
        string question;
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
            question = messages[lastUser].Content;
        }
        else
        {
            question = text;
        }

        // Stage 2: input policy.
        var input = InputPolicy.Evaluate(policy, question, modelEntryId, entry.Name);
        if (supplied is not null)
        {
            (messages, input) = SuppliedInput(policy, supplied, input, modelEntryId, entry.Name, now);
        }

        Message? stored = null;
        if (text is not null && store)
        {
            stored = ConversationStore.AddQuestion(db, conversation, input.Text, policy, input.Actions, now);
        }

        if (input.Refusal is not null)
        {
            await db.SaveChangesAsync(cancellationToken);
            return new GenerationPlan(policy, null, null, null, input.Text, stored?.Id, input.Actions, input.Refusal, store);
        }

        var loaded = backends.Ready(entry)
            ?? throw new ChatRequestException($"The model '{entry.Name}' is not loaded at the moment; ask an administrator to load it.");
        if (text is not null)
        {
            messages.Add(stored ?? new Message { Role = MessageRole.User, Content = input.Text, CreatedAt = now });
        }
        else if (input.Text != question)
        {
            messages[^1] = new Message { Role = MessageRole.User, Content = input.Text, CreatedAt = messages[^1].CreatedAt };
        }

        var engineId = loaded.BackendId;
        var answerRoom = Math.Min(supplied?.MaxTokens ?? int.MaxValue, Math.Min(options.Value.MaxAnswerTokens, loaded.ContextSize / 2));
        TrimmedHistory history;
        try
        {
            history = await ChatHistoryTrimmer.TrimAsync(messages, turns => new ValueTask<int>(backends.CountPromptTokensAsync(engineId, turns, cancellationToken)), loaded.ContextSize - answerRoom, SystemPrompt(policy, supplied));
        }
        catch (InferenceException ex)
        {
            throw new ChatRequestException(ex.Message);
        }

        if (supplied is not null && history.OmittedMessages > 0)
        {
            throw new ContextTooLongException(history.OmittedMessages);
        }

        // Stage 3: quota, reserved before anything is stored or generated; the answer's room is clamped to what the quota has left.
        var ticket = await quota.ReserveAsync(caller, conversation, history.PromptTokens, answerRoom, cancellationToken);

        // The person's message is stored before the generation starts.
        conversation.UpdatedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            await quota.ReleaseAsync(ticket);
            throw;
        }

        var request = new GenerationRequest
        {
            ModelId = engineId,
            Messages = history.Messages,
            MaxTokens = ticket.MaxOutputTokens,
            Sampling = supplied?.Sampling ?? new SamplingSettings { Temperature = options.Value.Temperature },
            StopSequences = supplied?.StopSequences ?? [],
        };
        return new GenerationPlan(policy, request, history, ticket, input.Text, stored?.Id, input.Actions, null, store);
    }

    /// <summary>Stages 4 to 8 for an accepted plan; for a refusal, stages 6 to 8.</summary>
    private async Task RunAsync(ActiveGeneration generation, GenerationPlan plan)
    {
        using var span = PortalMetrics.StartGeneration(generation.Caller, generation.ModelEntryId, generation.Sink);
        StoredAnswer answer;
        var frames = 0;
        var ticket = plan.Ticket;
        if (plan.Refusal is not null)
        {
            answer = new StoredAnswer(generation.Caller, generation.ConversationId, generation.ModelEntryId, "", MessageStatus.Refused, null,
                new GenerationResult(FinishReason.Stop, "", 0, 0, null, TimeSpan.Zero), plan.Policy, [plan.Refusal]);
        }
        else
        {
            var run = new AnswerRun(generation, plan);
            using (catalog.TrackGeneration(generation.ModelEntryId))
            {
                await SendAsync(generation, sink => sink.StateChangedAsync(new GenerationStateFrame(generation.Id, generation.ConversationId, generation.State)));
                answer = await AdmittedAsync(run);
            }

            frames = run.Frames;
            ticket = run.Ticket;
        }

        try
        {
            var (messageId, state) = await StoreAsync(generation, plan, ticket, answer);
            var frame = Completed(generation, messageId, state, answer, frames);
            LogFinished(generation.ConversationId, state, answer.Result.CompletionTokens, frame.TokensPerSecond, frames);

            // The answer is stored: the conversation takes the next message from now on, also from a door that sends it
            // the moment this frame arrives.
            Unregister(generation);
            await SendAsync(generation, sink => sink.CompletedAsync(frame));
        }
        finally
        {
            Unregister(generation);
            generation.Dispose();
            await PromoteQueuedAsync(generation.ModelEntryId);
        }
    }

    /// <summary>Waits for the admission gate (fair across tenants and people), then generates; stopped while waiting, nothing was generated.</summary>
    private async Task<StoredAnswer> AdmittedAsync(AnswerRun run)
    {
        var generation = run.Generation;
        IDisposable lease;
        try
        {
            lease = await admission.EnterAsync(generation.ModelEntryId, backends.Slots(generation.ModelEntryId), generation.Caller.TenantId, generation.Caller.UserId, generation.Token);
        }
        catch (OperationCanceledException)
        {
            return new StoredAnswer(generation.Caller, generation.ConversationId, generation.ModelEntryId, "", MessageStatus.Stopped, null,
                new GenerationResult(FinishReason.Cancelled, "", 0, 0, null, TimeSpan.Zero), run.Plan.Policy, []);
        }

        using (lease)
        {
            if (generation.State == GenerationState.Queued)
            {
                await SetStateAsync(generation, GenerationState.Thinking);
            }

            return await GenerateAsync(run);
        }
    }

    /// <summary>Stages 4 and 5: the draft with output rules on its stream, then, under a self-check, the review and the revision.</summary>
    private async Task<StoredAnswer> GenerateAsync(AnswerRun run)
    {
        var policy = run.Plan.Policy;
        var selfCheck = SelfCheckMode(policy) is { } mode ? mode : null;
        var showPasses = selfCheck != "hold-until-checked";
        var actions = new List<PolicyAction>();
        var outputRules = policy?.OutputRules ?? [];
        var draftFilter = new OutputRuleFilter(outputRules);
        var draft = await PassAsync(run, run.Plan.Request!, draftFilter, showPasses);
        var final = draft;
        PassResult? revised = null;
        string? draftText = null, critiqueText = null, error = null;
        int? principle = null;
        var filters = new List<OutputRuleFilter> { draftFilter };
        if (selfCheck is not null && draft.Result.FinishReason is FinishReason.Stop or FinishReason.Length && !run.Generation.Token.IsCancellationRequested)
        {
            try
            {
                await SetStateAsync(run.Generation, GenerationState.Checking);
                var question = run.Plan.QuestionText;
                var critiqueFilter = new OutputRuleFilter(outputRules);
                filters.Add(critiqueFilter);
                var critiqueRequest = await ReservedPassAsync(run, Request(run.Plan, PolicyPrompt.Critique(policy!, question, draft.Text), MaxCritiqueTokens), draft.Result);
                var critique = await PassAsync(run, critiqueRequest, critiqueFilter, show: false);
                critiqueText = critique.Text;
                draftText = draft.Text;
                principle = critique.Result.FinishReason is FinishReason.Stop or FinishReason.Length
                    ? PolicyPrompt.ReviewFinding(critique.Text, policy!.PrincipleList.Count)
                    : null;
                if (principle is { } broken)
                {
                    await SetStateAsync(run.Generation, GenerationState.Revising);
                    var composed = run.Plan.Request!.Messages.Select(m => new PromptTurn(m.Role, m.Content)).ToList();
                    var revisionFilter = new OutputRuleFilter(outputRules);
                    filters.Add(revisionFilter);
                    var revisionRequest = await ReservedPassAsync(run, Request(run.Plan, PolicyPrompt.Revision(composed, draft.Text, critique.Text, broken), run.Plan.Request!.MaxTokens), Sum(draft.Result, critique.Result, null));
                    var revision = await PassAsync(run, revisionRequest, revisionFilter, showPasses);
                    final = revised = revision;
                    actions.Add(new PolicyAction(PolicyActionKind.Revised, policy!.Name, policy.Version, broken > 0 ? $"under principle {broken}" : "under the principles (the review named no single one)"));
                }

                final = final with { Result = Sum(draft.Result, critique.Result, revised?.Result) };
            }
            catch (InferenceException ex)
            {
                error = $"The self-check could not run: {ex.Message}";
            }
            catch (QuotaExceededException ex)
            {
                error = $"The self-check could not run: {ex.Limit.Describe()} is reached.";
            }
        }

        // Held until checked means never shown unchecked: when the check could not run, the draft stays back.
        var withheld = !showPasses && error is not null;
        if (withheld)
        {
            final = final with { Text = "" };
            error += " The answer is not shown: this tenant's policy holds answers until they are checked.";
        }

        if (!showPasses && final.Text.Length > 0)
        {
            // Held until checked: the answer goes out only now, in one frame.
            await SendTokensAsync(run.Generation, ++run.Sequence, final.Text, final.Result.CompletionTokens);
            run.Frames++;
        }

        foreach (var rule in filters.SelectMany(f => f.Matched).Distinct())
        {
            actions.Add(new PolicyAction(PolicyActionKind.HeldBack, policy!.Name, policy.Version, $"text matching rule “{rule.Name}”"));
        }

        if (!run.Plan.Store && policy is not null)
        {
            actions.Add(new PolicyAction(PolicyActionKind.NotStored, policy.Name, policy.Version, "this tenant does not store prompts and answers"));
        }

        var status = withheld ? MessageStatus.Failed : final.Result.FinishReason switch
        {
            FinishReason.Stop or FinishReason.Length => MessageStatus.Complete,
            FinishReason.Cancelled => MessageStatus.Stopped,
            _ => MessageStatus.Failed,
        };
        error ??= status == MessageStatus.Failed ? final.Result.Error ?? "The generation failed." : null;
        return new StoredAnswer(run.Generation.Caller, run.Generation.ConversationId, run.Generation.ModelEntryId, final.Text, status, error,
            final.Result, policy, actions, draftText, critiqueText, principle);
    }

    /// <summary>One pass of the model, its text through the output rules; streamed to the sink when <paramref name="show"/>.</summary>
    private async Task<PassResult> PassAsync(AnswerRun run, GenerationRequest request, OutputRuleFilter filter, bool show)
    {
        var startedAt = time.GetTimestamp();
        var text = new StringBuilder();
        GenerationResult result;
        try
        {
            var running = backends.GenerateAsync(request, run.Generation.Token);
            try
            {
                var filtered = Filtered(running, filter, text);
                if (show)
                {
                    run.Frames += await FrameCoalescer.PumpAsync(
                        filtered,
                        TimeSpan.FromMilliseconds(options.Value.FrameIntervalMilliseconds),
                        time,
                        (chunk, tokens) => SendTokensAsync(run.Generation, ++run.Sequence, chunk, tokens));
                }
                else
                {
                    await foreach (var _ in filtered)
                    {
                    }
                }
            }
            catch (InferenceException)
            {
                // The stream ended with the engine's error; Completion carries it with the text so far.
            }

            result = await running.Completion;
        }
        catch (InferenceException ex)
        {
            result = new GenerationResult(FinishReason.Error, "", run.Plan.History?.PromptTokens ?? 0, 0, null, time.GetElapsedTime(startedAt), ex.Message);
        }

        if (filter.Holding > 0)
        {
            // The stream broke off: what is held is released only as far as no rule matches it.
            var rest = filter.Flush();
            text.Append(rest);
            if (show && rest.Length > 0)
            {
                await SendTokensAsync(run.Generation, ++run.Sequence, rest, result.CompletionTokens);
                run.Frames++;
            }
        }

        return new PassResult(text.ToString(), result);
    }

    /// <summary>The model's tokens through the output rules: only text that can no longer match a rule comes out.</summary>
    private static async IAsyncEnumerable<TokenChunk> Filtered(IAsyncEnumerable<TokenChunk> tokens, OutputRuleFilter filter, StringBuilder text, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var completionTokens = 0;
        await foreach (var chunk in tokens.WithCancellation(cancellationToken))
        {
            completionTokens = chunk.CompletionTokens;
            var passed = filter.Push(chunk.Text);
            if (passed.Length > 0)
            {
                text.Append(passed);
                yield return new TokenChunk(passed, completionTokens);
            }
        }

        var rest = filter.Flush();
        if (rest.Length > 0)
        {
            text.Append(rest);
            yield return new TokenChunk(rest, completionTokens);
        }
    }

    /// <summary>
    /// Reserves a self-check pass before it runs: the ticket is trued up to what the passes so far used and grown by
    /// this pass's prompt and output (clamped to what the quota has left), so the passes together never exceed the quota.
    /// </summary>
    private async Task<GenerationRequest> ReservedPassAsync(AnswerRun run, GenerationRequest request, GenerationResult usedSoFar)
    {
        if (run.Ticket is not { } ticket)
        {
            return request;
        }

        var promptTokens = await backends.CountPromptTokensAsync(request.ModelId, request.Messages, run.Generation.Token);
        var (extended, maxOutput) = await quota.ExtendAsync(ticket, (long)usedSoFar.PromptTokens + usedSoFar.CompletionTokens, promptTokens, request.MaxTokens, run.Generation.Token);
        run.Ticket = extended;
        return request with { MaxTokens = maxOutput };
    }

    private GenerationRequest Request(GenerationPlan plan, IReadOnlyList<PromptTurn> turns, int maxTokens) => new()
    {
        ModelId = plan.Request!.ModelId,
        Messages = [.. turns.Select(t => new ChatMessage(t.Role, t.Content))],
        MaxTokens = maxTokens,
        Sampling = new SamplingSettings { Temperature = options.Value.Temperature },
    };

    /// <summary>Tokens of every pass are charged; time to first token is the draft's (what the person waited for).</summary>
    private static GenerationResult Sum(GenerationResult draft, GenerationResult critique, GenerationResult? revision) =>
        (revision ?? draft) with
        {
            PromptTokens = draft.PromptTokens + critique.PromptTokens + (revision?.PromptTokens ?? 0),
            CompletionTokens = draft.CompletionTokens + critique.CompletionTokens + (revision?.CompletionTokens ?? 0),
            TimeToFirstToken = draft.TimeToFirstToken,
            TotalTime = draft.TotalTime + critique.TotalTime + (revision?.TotalTime ?? TimeSpan.Zero),
        };

    private Task SetStateAsync(ActiveGeneration generation, GenerationState state)
    {
        generation.State = state;
        return SendAsync(generation, sink => sink.StateChangedAsync(new GenerationStateFrame(generation.Id, generation.ConversationId, state)));
    }

    private Task SendTokensAsync(ActiveGeneration generation, int sequence, string text, int completionTokens) =>
        SendAsync(generation, async sink =>
        {
            if (generation.State is not (GenerationState.Streaming or GenerationState.Revising))
            {
                generation.State = GenerationState.Streaming;
                await sink.StateChangedAsync(new GenerationStateFrame(generation.Id, generation.ConversationId, GenerationState.Streaming));
            }

            await sink.TokensAsync(new TokenFrame(generation.Id, generation.ConversationId, sequence, text, completionTokens));
        });

    /// <summary>Stages 6 to 8 in one save: the answer (unless storage is off), settlement and usage, and the audit of every policy action.</summary>
    private async Task<(Guid MessageId, GenerationState State)> StoreAsync(ActiveGeneration generation, GenerationPlan plan, QuotaTicket? ticket, StoredAnswer answer)
    {
        var state = answer.Status switch
        {
            MessageStatus.Refused => GenerationState.Refused,
            MessageStatus.Stopped => GenerationState.Stopped,
            MessageStatus.Failed => GenerationState.Failed,
            _ => GenerationState.Completed,
        };
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(generation.Caller.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var now = time.GetUtcNow();

        // Stage 6: storage.
        Guid? storedId = plan.Store ? (await ConversationStore.AddAnswerAsync(db, answer, now)).Id : null;

        // Stage 7: settlement and the usage record, in one transaction with the answer and the audit.
        var usage = ConversationStore.AddUsage(db, answer, storedId, TokensPerSecond(answer.Result), now);
        await using var transaction = await quota.BeginSettlementAsync(db, ticket, usage);

        // Stage 8: audit, for the question's actions and the answer's.
        foreach (var action in plan.InputActions.Where(a => a.Kind == PolicyActionKind.Redacted).Concat(answer.Actions).Where(a => a.Kind != PolicyActionKind.NotStored))
        {
            audit.Add(db, PolicyAudit.Entry(generation.Caller.UserId, generation.Caller.TenantId, $"conversation:{generation.ConversationId}", action, generation.ConversationId, storedId));
        }

        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        metrics.Settled(usage, plan.InputActions.Where(a => a.Kind == PolicyActionKind.Redacted).Concat(answer.Actions));
        return (storedId ?? Guid.NewGuid(), state);
    }

    private static GenerationCompletedFrame Completed(ActiveGeneration generation, Guid messageId, GenerationState state, StoredAnswer answer, int frames) => new(
        generation.Id,
        generation.ConversationId,
        messageId,
        state,
        answer.Status == MessageStatus.Refused ? "Refused" : answer.Result.FinishReason.ToString(),
        answer.Content,
        answer.Error,
        answer.Result.PromptTokens,
        answer.Result.CompletionTokens,
        answer.Result.TimeToFirstToken?.TotalMilliseconds ?? 0,
        answer.Result.TotalTime.TotalMilliseconds,
        TokensPerSecond(answer.Result),
        generation.OmittedMessages,
        frames,
        answer.Policy?.Version,
        PolicyActionView.From(answer.Actions),
        answer.Draft,
        answer.Critique,
        answer.RevisedUnderPrinciple);

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
        var slots = backends.Slots(modelEntryId);
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
