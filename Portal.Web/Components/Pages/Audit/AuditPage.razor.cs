using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Data;
using Portal.Domain.Audit;
using Portal.Web.Audit;

namespace Portal.Web.Components.Pages.Audit;

/// <summary>
/// The audit log for its readers: filters, keyset pages (newest first), the CSV export of the same
/// filter, and verification of the chains the reader may see. Each action runs in a scope of its
/// own, so no DbContext lives as long as the circuit.
/// </summary>
public sealed partial class AuditPage : ComponentBase
{
    private const int PageSize = 50;
    private const string AllChains = "";

    // Cursors of the pages shown so far: [0] is null (the newest page), [n] starts page n.
    private readonly List<AuditCursor?> _pageStarts = [null];
    private AuditAccess? _access;
    private IReadOnlyList<(Guid Id, string Name)> _tenants = [];
    private IReadOnlyList<AuditRow> _rows = [];
    private IReadOnlyList<AuditChainReport>? _reports;
    private AuditFilter _applied = new();
    private AuditCursor? _next;
    private int _pageIndex;
    private bool _loading;
    private bool _verifying;
    private string? _error;
    private DateTime? _from;
    private DateTime? _to;
    private string? _actor;
    private string? _action;
    private string? _target;
    private string _chain = AllChains;

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private IServiceScopeFactory Scopes { get; set; } = default!;

    private string ScopeLabel => _access switch
    {
        { AllTenants: true } => "All tenants (platform administrator)",
        { TenantId: { } id } => $"Tenant {_tenants.FirstOrDefault(t => t.Id == id).Name}",
        _ => "",
    };

    private string ExportUrl => AuditCsvExport.Path + _applied.ToQueryString();

    protected override async Task OnInitializedAsync()
    {
        var state = await AuthenticationState!;
        _access = AuditAccess.From(state.User);
        if (_access is null)
        {
            _error = "You may not read the audit log.";
            return;
        }

        await using var scope = Scopes.CreateAsyncScope();
        _tenants = await scope.ServiceProvider.GetRequiredService<AuditSearch>().TenantsAsync(_access, CancellationToken.None);
        await LoadAsync();
    }

    private Task SearchAsync()
    {
        _applied = new AuditFilter(
            _from is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from.Date, DateTimeKind.Utc)) : null,
            _to is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to.Date.AddDays(1), DateTimeKind.Utc)) : null,
            Blank(_actor),
            Blank(_action),
            Blank(_target),
            _access?.AllTenants == true ? Blank(_chain) : null);
        _pageStarts.Clear();
        _pageStarts.Add(null);
        _pageIndex = 0;
        return LoadAsync();
    }

    private Task ClearAsync()
    {
        (_from, _to, _actor, _action, _target, _chain) = (null, null, null, null, null, AllChains);
        return SearchAsync();
    }

    private Task OlderAsync()
    {
        if (_next is null)
        {
            return Task.CompletedTask;
        }

        _pageIndex++;
        if (_pageStarts.Count <= _pageIndex)
        {
            _pageStarts.Add(_next);
        }

        return LoadAsync();
    }

    private Task NewerAsync()
    {
        _pageIndex = Math.Max(0, _pageIndex - 1);
        return LoadAsync();
    }

    private async Task LoadAsync()
    {
        _loading = true;
        _error = null;
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            var page = await scope.ServiceProvider.GetRequiredService<AuditSearch>()
                .PageAsync(_access!, _applied, _pageStarts[_pageIndex], PageSize, CancellationToken.None);
            _rows = page.Rows;
            _next = page.Next;
        }
        catch (FormatException e)
        {
            _error = e.Message;
        }
        finally
        {
            _loading = false;
        }
    }

    private async Task VerifyAsync()
    {
        _verifying = true;
        _reports = null;
        StateHasChanged();
        try
        {
            await using var scope = Scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var verifier = scope.ServiceProvider.GetRequiredService<AuditChainVerifier>();
            var reports = new List<AuditChainReport>();
            foreach (var chain in await ChainsToVerifyAsync(db))
            {
                reports.Add(await verifier.VerifyAsync(db, chain, CancellationToken.None));
            }

            // Broken chains first: they are what the reader came for.
            _reports = reports.OrderBy(r => r.IsIntact).ToList();
        }
        finally
        {
            _verifying = false;
        }
    }

    /// <summary>A tenant's reader verifies their tenant's chain; a platform administrator the chosen chain, or all.</summary>
    private async Task<IReadOnlyList<Guid>> ChainsToVerifyAsync(PortalDbContext db)
    {
        if (_access is not { AllTenants: true })
        {
            return [_access!.TenantId!.Value];
        }

        return _chain switch
        {
            AuditFilter.PlatformChain => [AuditChains.Platform],
            AllChains => await AuditChainVerifier.ListChainsAsync(db, CancellationToken.None),
            var id => [Guid.Parse(id)],
        };
    }

    private string ChainName(Guid chainId) =>
        chainId == AuditChains.Platform
            ? "Platform chain"
            : $"{(_tenants.FirstOrDefault(t => t.Id == chainId).Name ?? chainId.ToString())} chain";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Details(AuditEvent entry) => entry.After ?? entry.Before ?? "";

    private static Color ActionColor(string action) =>
        action.Contains("refused", StringComparison.Ordinal) || action.Contains("locked", StringComparison.Ordinal) || action.Contains("failed", StringComparison.Ordinal)
            ? Color.Error
            : action.StartsWith("signin.", StringComparison.Ordinal) ? Color.Info : Color.Default;
}
