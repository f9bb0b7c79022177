using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Identity;

/// <summary>The data layer's tenant follows the signed-in person's active tenant, per request and per circuit.</summary>
public sealed class ActiveTenantTests
{
    private static readonly Guid Tenant = Guid.NewGuid();

    [Fact]
    public async Task Request_SignedIn_DataLayerWorksInActiveTenant()
    {
        var tenantContext = new TenantContext();
        Guid? seenByEndpoint = null;
        var context = new DefaultHttpContext { User = Principal() };

        await new ActiveTenantMiddleware(tenantContext).InvokeAsync(context, _ =>
        {
            seenByEndpoint = tenantContext.TenantId;
            return Task.CompletedTask;
        });

        Assert.Equal(Tenant, seenByEndpoint);
    }

    [Fact]
    public async Task Request_Anonymous_NoTenantSoTenantDataStaysClosed()
    {
        var tenantContext = new TenantContext();

        await new ActiveTenantMiddleware(tenantContext).InvokeAsync(new DefaultHttpContext(), _ => Task.CompletedTask);

        Assert.Null(tenantContext.TenantId);
    }

    [Fact]
    public async Task Circuit_Opened_DataLayerWorksInActiveTenant()
    {
        var tenantContext = new TenantContext();
        var handler = new ActiveTenantCircuitHandler(new FixedAuthenticationState(Principal()), tenantContext);

        await handler.OnCircuitOpenedAsync(null!, TestContext.Current.CancellationToken);

        Assert.Equal(Tenant, tenantContext.TenantId);
    }

    private static ClaimsPrincipal Principal() => PortalPrincipal.Create(new PortalSession(
        Guid.NewGuid(), "Someone", false, new ActiveTenant(Tenant, "Alpha", TenantRoles.Member), [], PortalSession.LocalSignIn));

    private sealed class FixedAuthenticationState(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }
}
