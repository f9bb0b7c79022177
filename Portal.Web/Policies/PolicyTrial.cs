using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Policies;
using Portal.Inference.Engine;
using Portal.Web.Admin;
using Portal.Web.Models;

namespace Portal.Web.Policies;

/// <summary>What the "try it" panel shows: what the draft would do to a prompt, and the answer it would let through.</summary>
public sealed record TrialResult(
    string PromptAsTheModelReadsIt,
    string? SystemPrompt,
    IReadOnlyList<string> Actions,
    bool Refused,
    string? ModelName,
    string? Answer,
    string? Note);

/// <summary>
/// Runs a prompt against an unsaved draft: the input stage as the pipeline runs it, and, when an
/// allowed model is loaded, a short answer through the draft's output rules. Nothing is stored or
/// audited: it is a rehearsal for the admin, not a conversation.
/// </summary>
public sealed class PolicyTrial(PortalDbContext db, ITenantContext tenantContext, ModelCatalog catalog, IInferenceEngine engine)
{
    private const int TrialAnswerTokens = 96;

    public async Task<TrialResult> RunAsync(AdminActor actor, TenantPolicy draft, string prompt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(draft);
        if (actor.ActiveTenantId is not { } tenantId || !actor.MayAdminister(tenantId))
        {
            throw new AdminException(AdminFailure.Forbidden, "Only the tenant's administrators may try its policy.");
        }

        if (string.IsNullOrWhiteSpace(prompt))
        {
            throw new AdminException(AdminFailure.Invalid, "Write a prompt to try.");
        }

        if (PolicyAdministration.Problem(draft) is { } problem)
        {
            throw new AdminException(AdminFailure.Invalid, problem);
        }

        tenantContext.SetTenant(tenantId);
        var model = await PickModelAsync(draft, cancellationToken);
        var evaluated = draft;
        if (model is null)
        {
            // No model to answer with: the rules on the prompt are still shown, without a "not allowed" for a model that is not there.
            evaluated = draft.NextDraft();
            evaluated.Version = draft.Version;
            evaluated.AllowedModelIds = [];
        }

        var input = InputPolicy.Evaluate(evaluated, prompt.Trim(), model?.Id ?? Guid.Empty, model?.Name ?? "");
        var system = PolicyPrompt.SystemPrompt(draft);
        var actions = input.Actions.Select(a => a.Describe()).ToList();
        if (input.Refusal is not null)
        {
            return new TrialResult(input.Text, system, actions, true, model?.Name, null, null);
        }

        if (model is null)
        {
            return new TrialResult(input.Text, system, actions, false, null, null, "No model this policy allows is loaded, so no answer was generated.");
        }

        var (modelId, modelName) = model.Value;
        var turns = PolicyPrompt.Compose(draft, [new PromptTurn("user", input.Text)]);
        var running = engine.GenerateAsync(new GenerationRequest
        {
            ModelId = ModelCatalog.EngineId(modelId),
            Messages = [.. turns.Select(t => new ChatMessage(t.Role, t.Content))],
            MaxTokens = TrialAnswerTokens,
        }, cancellationToken);
        var filter = new OutputRuleFilter(draft.OutputRules);
        var answer = new StringBuilder();
        await foreach (var chunk in running.WithCancellation(cancellationToken))
        {
            answer.Append(filter.Push(chunk.Text));
        }

        answer.Append(filter.Flush());
        actions.AddRange(filter.Matched.Select(r => new PolicyAction(PolicyActionKind.HeldBack, draft.Name, draft.Version, $"text matching rule “{r.Name}”").Describe()));
        return new TrialResult(input.Text, system, actions, false, modelName, answer.ToString(), $"A short answer (at most {TrialAnswerTokens} tokens); nothing is stored.");
    }

    private async Task<(Guid Id, string Name)?> PickModelAsync(TenantPolicy draft, CancellationToken cancellationToken)
    {
        var granted = await db.ModelGrants.Join(db.ModelEntries, g => g.ModelEntryId, m => m.Id, (_, m) => m)
            .Where(m => m.IsEnabled).Select(m => new { m.Id, m.Name }).ToListAsync(cancellationToken);
        var allowed = granted.Where(m => draft.AllowedModelIds.Count == 0 || draft.AllowedModelIds.Contains(m.Id)).ToList();
        var loaded = allowed.FirstOrDefault(m => catalog.IsLoaded(m.Id)) ?? allowed.FirstOrDefault();
        return loaded is null ? null : catalog.IsLoaded(loaded.Id) ? (loaded.Id, loaded.Name) : null;
    }
}
