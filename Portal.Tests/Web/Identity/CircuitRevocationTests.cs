using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Identity;

/// <summary>
/// Finding 3: an open circuit follows the database, not the cookie it started with: a lost membership,
/// a demotion or a suspended tenant ends its authentication, and each admin action re-reads the actor's roles.
/// </summary>
public sealed class CircuitRevocationTests(CircuitRevocationTests.Fixture fixture) : IClassFixture<CircuitRevocationTests.Fixture>
{
    private const string Password = "Circuit-Pass-1234!";

    public sealed class Fixture : IAsyncLifetime
    {
        public PortalAppFactory App { get; } = new();

        public ValueTask InitializeAsync()
        {
            App.StartServer();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenCircuit_TenantSuspended_LosesAuthentication()
    {
        var tenantName = $"Suspended {Guid.NewGuid():N}";
        var (principal, tenant) = await SignedInPrincipalAsync(TenantRoles.Member, tenantName);
        await fixture.App.QueryAsync(db => db.Tenants.Where(t => t.Id == tenant).ExecuteUpdateAsync(t => t.SetProperty(x => x.IsSuspended, true), Ct));

        Assert.False(await IsStillValidAsync(principal));
    }

    [Fact]
    public async Task OpenCircuit_TenantAdminDemoted_LosesAuthentication()
    {
        var (principal, tenant) = await SignedInPrincipalAsync(TenantRoles.Member | TenantRoles.TenantAdmin, $"Demote {Guid.NewGuid():N}");
        await fixture.App.QueryAsync(db => db.Memberships.Where(m => m.TenantId == tenant).ExecuteUpdateAsync(m => m.SetProperty(x => x.Roles, TenantRoles.Member), Ct));

        Assert.False(await IsStillValidAsync(principal));
    }

    [Fact]
    public async Task AdminAction_ActorDemotedSinceThePageOpened_Refused()
    {
        var (principal, tenant) = await SignedInPrincipalAsync(TenantRoles.Member | TenantRoles.TenantAdmin, $"Actor {Guid.NewGuid():N}");
        var cached = AdminActor.From(principal);
        await fixture.App.QueryAsync(db => db.Memberships.Where(m => m.TenantId == tenant).ExecuteUpdateAsync(m => m.SetProperty(x => x.Roles, TenantRoles.Member), Ct));

        await using var scope = fixture.App.Services.CreateAsyncScope();
        var refused = await Assert.ThrowsAsync<AdminException>(() => AdminActor.CurrentAsync(cached, scope.ServiceProvider, Ct));

        Assert.Equal(AdminFailure.Forbidden, refused.Failure);
    }

    private async Task<bool> IsStillValidAsync(System.Security.Claims.ClaimsPrincipal principal)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var provider = Assert.IsType<PortalRevalidatingAuthenticationStateProvider>(scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>());
        return await provider.IsStillValidAsync(principal, Ct);
    }

    private async Task<(System.Security.Claims.ClaimsPrincipal Principal, Guid TenantId)> SignedInPrincipalAsync(TenantRoles roles, string tenantName)
    {
        var user = await fixture.App.CreateLocalUserAsync($"{Guid.NewGuid():N}@portal.test", Password, roles, tenantName);
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var session = await scope.ServiceProvider.GetRequiredService<PortalSessionFactory>().CreateAsync(user.Id, null, PortalSession.LocalSignIn, Ct);
        var principal = PortalPrincipal.Create(session!);
        SessionLifetime.Stamp(principal, DateTimeOffset.UtcNow);
        Assert.True(await IsStillValidAsync(principal));
        return (principal, session!.Tenant!.Id);
    }
}
