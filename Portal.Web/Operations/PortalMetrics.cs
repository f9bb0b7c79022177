using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Portal.Domain.Policies;
using Portal.Domain.Usage;
using Portal.Web.Accounting;
using Portal.Web.Chat;

namespace Portal.Web.Operations;

/// <summary>
/// The portal's own telemetry: the meter "Portal" and the activity source "Portal". The pipeline calls
/// it at a few points (a request arrives at a door, a generation starts, its usage record is written,
/// a quota refuses); the queue and slot gauges read the <see cref="AdmissionGate"/> when collected.
/// Tags carry ids, model names, outcomes and kinds only: never a prompt, an answer, a key or an e-mail address.
/// With telemetry off nothing listens, and every call here costs next to nothing.
/// </summary>
public sealed class PortalMetrics
{
    public const string Name = "Portal";

    /// <summary>The span "portal.generation", one per answer: from the accepted request (queue, generation, storage) to its usage record.</summary>
    public static readonly ActivitySource Source = new(Name);

    private static readonly InstrumentAdvice<double> TimeToFirstTokenBuckets = new() { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] };
    private static readonly InstrumentAdvice<double> TokensPerSecondBuckets = new() { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] };

    private readonly Counter<long> requests;
    private readonly Counter<long> generations;
    private readonly Counter<long> tokens;
    private readonly Histogram<double> timeToFirstToken;
    private readonly Histogram<double> tokensPerSecond;
    private readonly Counter<long> quotaRefusals;
    private readonly Counter<long> policyActions;

    /// <summary>Model names by entry id, as the pipeline last read them (gauges are collected without a database).</summary>
    private readonly ConcurrentDictionary<Guid, string> modelNames = new();

    public PortalMetrics(IMeterFactory meterFactory, AdmissionGate gate)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(gate);
        var meter = meterFactory.Create(Name);
        requests = meter.CreateCounter<long>("portal.requests", "{request}", "Generation requests, by door (hub, page, api).");
        generations = meter.CreateCounter<long>("portal.generations", "{generation}", "Generations that ended with a usage record, by outcome and model.");
        tokens = meter.CreateCounter<long>("portal.tokens", "{token}", "Tokens charged, by type (prompt, completion) and model.");
        timeToFirstToken = meter.CreateHistogram("portal.generation.time_to_first_token", "s", "Time from the start of a generation to its first token.", advice: TimeToFirstTokenBuckets);
        tokensPerSecond = meter.CreateHistogram("portal.generation.tokens_per_second", "{token}/s", "Decoding speed of a generation after its first token.", advice: TokensPerSecondBuckets);
        quotaRefusals = meter.CreateCounter<long>("portal.quota.refusals", "{request}", "Requests a quota refused, by limit, scope (tenant, person) and model.");
        policyActions = meter.CreateCounter<long>("portal.policy.actions", "{action}", "Actions a tenant policy took on prompts and answers, by kind and model.");
        meter.CreateObservableGauge("portal.queue.length", () => Pools(gate, p => p.Waiting), "{request}", "Generations waiting for a slot, by model.");
        meter.CreateObservableGauge("portal.slots.used", () => Pools(gate, p => p.Running), "{slot}", "Slots generating now, by model.");
        meter.CreateObservableGauge("portal.slots.total", () => Pools(gate, p => p.Slots), "{slot}", "Slots of each model that has served since the start.");
    }

    /// <summary>A request arrived at a door of the pipeline.</summary>
    public void Requested(IGenerationSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        requests.Add(1, new KeyValuePair<string, object?>("door", sink.Door));
    }

    /// <summary>The pipeline read a model's entry: its name labels what follows.</summary>
    public void SawModel(Guid modelEntryId, string name) => modelNames[modelEntryId] = name;

    /// <summary>Starts the generation's span (null when no one traces); the caller disposes it when the answer is settled.</summary>
    public static Activity? StartGeneration(ChatCaller caller, Guid modelEntryId, IGenerationSink sink)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(sink);
        var span = Source.StartActivity("portal.generation", ActivityKind.Internal);
        span?.SetTag("portal.tenant.id", caller.TenantId.ToString());
        span?.SetTag("portal.model.id", modelEntryId.ToString());
        span?.SetTag("portal.door", sink.Door);
        return span;
    }

    /// <summary>
    /// The usage record of a generation was written (with the policy actions audited in the same save):
    /// counts it, its tokens and speed, and finishes the tags of the current generation span.
    /// </summary>
    public void Settled(UsageRecord usage, IEnumerable<PolicyAction> actions)
    {
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(actions);
        var model = new KeyValuePair<string, object?>("model", ModelName(usage.ModelEntryId));
        var outcome = Outcome(usage.Outcome);
        generations.Add(1, new KeyValuePair<string, object?>("outcome", outcome), model);
        tokens.Add(usage.PromptTokens, new KeyValuePair<string, object?>("type", "prompt"), model);
        tokens.Add(usage.CompletionTokens, new KeyValuePair<string, object?>("type", "completion"), model);
        if (usage.CompletionTokens > 0 && usage.TimeToFirstToken > TimeSpan.Zero)
        {
            timeToFirstToken.Record(usage.TimeToFirstToken.TotalSeconds, model);
        }

        if (usage.TokensPerSecond > 0)
        {
            tokensPerSecond.Record(usage.TokensPerSecond, model);
        }

        foreach (var action in actions)
        {
            policyActions.Add(1, new KeyValuePair<string, object?>("kind", Snake(action.Kind.ToString())), model);
        }

        if (Activity.Current is { } span && span.Source == Source)
        {
            span.SetTag("portal.model.name", model.Value);
            span.SetTag("portal.outcome", outcome);
            span.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
            span.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
            span.SetStatus(usage.Outcome == GenerationOutcome.Failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
        }
    }

    /// <summary>A quota refused a request before anything was generated.</summary>
    public void QuotaRefused(QuotaLimit limit, Guid? modelEntryId)
    {
        ArgumentNullException.ThrowIfNull(limit);
        quotaRefusals.Add(1,
            new KeyValuePair<string, object?>("limit", Snake(limit.Kind.ToString())),
            new KeyValuePair<string, object?>("scope", limit.IsTenantWide ? "tenant" : "person"),
            new KeyValuePair<string, object?>("model", modelEntryId is { } id ? ModelName(id) : "none"));
    }

    /// <summary>"completed", "length", "stopped", "failed", "refused", "refused_by_quota".</summary>
    public static string Outcome(GenerationOutcome outcome) => Snake(outcome.ToString());

    private string ModelName(Guid modelEntryId) => modelNames.TryGetValue(modelEntryId, out var name) ? name : modelEntryId.ToString();

    private IEnumerable<Measurement<int>> Pools(AdmissionGate gate, Func<AdmissionPoolState, int> value) =>
        gate.Snapshot().Select(p => new Measurement<int>(value(p), new KeyValuePair<string, object?>("model", ModelName(p.PoolKey))));

    /// <summary>TokensPerDay → tokens_per_day.</summary>
    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
