using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Web.Admin;

namespace Portal.Web.Components.Pages.Admin;

/// <summary>
/// Shared by the admin pages: the acting person from the circuit's principal, and each action run in
/// a scope of its own (a fresh DbContext per action, not one that lives as long as the circuit),
/// with refusals shown to the person instead of breaking the circuit.
/// </summary>
public abstract class AdminPageBase : ComponentBase
{
    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [Inject]
    private IServiceScopeFactory Scopes { get; set; } = default!;

    [Inject]
    protected ISnackbar Snackbar { get; set; } = default!;

    protected AdminActor? Actor { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        var state = await AuthenticationState!;
        Actor = AdminActor.From(state.User);
        await ReloadAsync();
    }

    protected abstract Task ReloadAsync();

    /// <summary>Runs <paramref name="action"/> with a fresh <typeparamref name="TService"/>; null when it was refused (the reason is shown).</summary>
    protected async Task<T?> CallAsync<TService, T>(Func<TService, AdminActor, Task<T>> action, string? success = null)
        where TService : notnull
    {
        await using var scope = Scopes.CreateAsyncScope();
        try
        {
            // The circuit's actor may be stale: every action runs as the person's rights are now.
            var actor = await AdminActor.CurrentAsync(Actor!, scope.ServiceProvider, CancellationToken.None);
            var result = await action(scope.ServiceProvider.GetRequiredService<TService>(), actor);
            if (success is not null)
            {
                Snackbar.Add(success, Severity.Success);
            }

            return result;
        }
        catch (AdminException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
            return default;
        }
    }

    protected Task<bool> RunAsync<TService>(Func<TService, AdminActor, Task> action, string? success = null)
        where TService : notnull =>
        CallAsync<TService, bool>(async (service, actor) =>
        {
            await action(service, actor);
            return true;
        }, success);
}
