using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Portal.Data;

namespace Portal.Web.Identity;

/// <summary>
/// A Blazor circuit has a DI scope of its own, apart from the HTTP request that opened it: the
/// active tenant is set on that scope's data layer when the circuit opens, before any component renders.
/// </summary>
internal sealed class ActiveTenantCircuitHandler(
    AuthenticationStateProvider authenticationState, ITenantContext tenantContext) : CircuitHandler
{
    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var state = await authenticationState.GetAuthenticationStateAsync();
        if (PortalPrincipal.Read(state.User)?.Tenant is { } tenant)
        {
            tenantContext.SetTenant(tenant.Id);
        }
    }
}
