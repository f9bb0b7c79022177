using Portal.Domain.Policies;
using Portal.Web.Policies;

namespace Portal.Web.Components.Pages.Policies;

/// <summary>The tenant admin's policy editor: edits a draft of the next version, tries it, and saves it as a new version.</summary>
public sealed partial class PoliciesPage
{
    private static readonly IReadOnlyList<PolicyRuleKind> AllKinds = [PolicyRuleKind.Word, PolicyRuleKind.Phrase, PolicyRuleKind.Regex];
    private static readonly IReadOnlyList<PolicyRuleKind> StreamKinds = [PolicyRuleKind.Word, PolicyRuleKind.Phrase];

    private TenantPolicy? _draft;
    private int _currentVersion;
    private List<RuleRow> _inputRules = [];
    private List<RuleRow> _outputRules = [];
    private List<RuleRow> _piiPatterns = [];
    private IReadOnlyList<(Guid Id, string Name)> _models = [];
    private IReadOnlyList<TenantPolicy> _versions = [];
    private string? _trialPrompt;
    private TrialResult? _trial;
    private bool _trialRunning;

    private string VersionLabel => _currentVersion == 0 ? "No policy saved yet" : $"In force: {_versions[0].Label}";

    protected override async Task ReloadAsync()
    {
        var current = await CallAsync<PolicyAdministration, TenantPolicy>((service, actor) => service.CurrentOrNewAsync(actor));
        if (current is null)
        {
            return;
        }

        _currentVersion = current.Version;
        _draft = current.NextDraft();
        _inputRules = RuleRow.From(current.InputRules);
        _outputRules = RuleRow.From(current.OutputRules);
        _piiPatterns = RuleRow.From(current.CustomPiiPatterns);
        _models = await CallAsync<PolicyAdministration, IReadOnlyList<(Guid, string)>>((service, actor) => service.GrantedModelsAsync(actor)) ?? [];
        _versions = await CallAsync<PolicyAdministration, IReadOnlyList<TenantPolicy>>((service, actor) => service.VersionsAsync(actor)) ?? [];
    }

    /// <summary>The draft as edited, rule rows included.</summary>
    private TenantPolicy Edited()
    {
        var draft = _draft!;
        draft.InputRules = [.. _inputRules.Select(r => r.ToRule())];
        draft.OutputRules = [.. _outputRules.Select(r => r.ToRule())];
        draft.CustomPiiPatterns = [.. _piiPatterns.Select(r => r.ToPattern())];
        return draft;
    }

    private void SetAllowed(Guid modelId, bool allowed)
    {
        _draft!.AllowedModelIds.Remove(modelId);
        if (allowed)
        {
            _draft.AllowedModelIds.Add(modelId);
        }
    }

    private async Task SaveAsync()
    {
        var saved = await CallAsync<PolicyAdministration, TenantPolicy>((service, actor) => service.SaveAsync(actor, Edited()));
        if (saved is not null)
        {
            Snackbar.Add($"Saved as {saved.Label}. It acts on every message from now on.", MudBlazor.Severity.Success);
            await ReloadAsync();
        }
    }

    private async Task TryAsync()
    {
        _trialRunning = true;
        _trial = null;
        try
        {
            _trial = await CallAsync<PolicyTrial, TrialResult>((service, actor) => service.RunAsync(actor, Edited(), _trialPrompt ?? ""));
        }
        finally
        {
            _trialRunning = false;
        }
    }
}
