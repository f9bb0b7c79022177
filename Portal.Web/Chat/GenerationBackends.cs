using System.Collections.Concurrent;
using Portal.Domain.Models;
using Portal.Inference.Engine;
using Portal.Web.Endpoints;
using Portal.Web.Models;

namespace Portal.Web.Chat;

/// <summary>What a model offers the pipeline now: the id its backend knows it by, its context and how many answers it runs at once.</summary>
public sealed record ModelRoom(string BackendId, int ContextSize, int Slots);

/// <summary>
/// Chooses the backend for each model, above the engine: a GGUF file runs in the portal's
/// <see cref="IInferenceEngine"/> (through <see cref="ModelCatalog"/>), an endpoint model on its remote
/// engine through <see cref="EndpointClient"/>. The pipeline calls this instead of the engine, and the
/// rest of it (policy, quota, output rules, storage, usage, audit) does not know which one ran.
/// </summary>
public sealed class GenerationBackends(IInferenceEngine engine, ModelCatalog catalog, EndpointClient endpoints, EndpointKeys keys)
{
    private const string EndpointPrefix = "endpoint-";

    /// <summary>The endpoint models prepared so far, by entry id: their target as of their last request.</summary>
    private readonly ConcurrentDictionary<Guid, EndpointTarget> targets = new();

    /// <summary>
    /// The model's room now, or null when it cannot answer (a GGUF file that is not loaded). For an
    /// endpoint model it also reads its settings and key for the generations that follow.
    /// </summary>
    public ModelRoom? Ready(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Kind == ModelKind.Endpoint)
        {
            var endpoint = entry.Endpoint ?? throw new ChatRequestException($"The model '{entry.Name}' has no endpoint settings; ask an administrator to check it.");
            var target = new EndpointTarget(entry.Id, entry.Name, endpoint.BaseUrl, endpoint.RemoteModel, ReadKey(entry, endpoint), endpoint.MaxOutputTokens, endpoint.ParallelRequests);
            targets[entry.Id] = target;
            return new ModelRoom(EndpointPrefix + entry.Id.ToString("N"), endpoint.ContextSize, endpoint.ParallelRequests);
        }

        return catalog.Loaded(entry.Id) is { } loaded ? new ModelRoom(ModelCatalog.EngineId(entry.Id), loaded.ContextSize, loaded.Slots) : null;
    }

    /// <summary>Answers the model runs at once (the admission gate's and the queue display's limit).</summary>
    public int Slots(Guid modelEntryId) =>
        targets.TryGetValue(modelEntryId, out var target) ? target.ParallelRequests : catalog.Loaded(modelEntryId)?.Slots ?? 1;

    /// <summary>Prompt tokens of <paramref name="messages"/>: counted by the engine, or estimated for an endpoint (<see cref="TokenEstimate"/>).</summary>
    public Task<int> CountPromptTokensAsync(string backendId, IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken) =>
        Target(backendId) is not null ? Task.FromResult(TokenEstimate.Prompt(messages)) : engine.CountPromptTokensAsync(backendId, messages, cancellationToken);

    /// <summary>Starts the generation on the model's backend.</summary>
    public IRunningGeneration GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Target(request.ModelId) is { } target
            ? endpoints.Generate(target, request, cancellationToken)
            : new EngineGeneration(engine.GenerateAsync(request, cancellationToken));
    }

    private EndpointTarget? Target(string backendId) =>
        backendId.StartsWith(EndpointPrefix, StringComparison.Ordinal)
            ? targets.TryGetValue(Guid.ParseExact(backendId[EndpointPrefix.Length..], "N"), out var target) ? target
                : throw new InferenceException("The endpoint model was not prepared.")
            : null;

    private string? ReadKey(ModelEntry entry, ModelEndpoint endpoint)
    {
        try
        {
            return keys.Unprotect(endpoint.ProtectedApiKey);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The Data Protection keys changed since the key was stored: only an admin can enter it again.
            throw new ChatRequestException($"The model '{entry.Name}' cannot be used at the moment; ask an administrator to check its settings.");
        }
    }
}
