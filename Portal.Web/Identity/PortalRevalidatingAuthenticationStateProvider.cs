using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Portal.Web.Identity;

/// <summary>
/// A Blazor circuit can outlive many cookie checks. Every few minutes it asks the database whether the
/// person may still use the portal; a disabled or removed person loses the circuit's authentication,
/// so the router sends them to sign-in. Role changes reach the circuit at the next page load.
/// </summary>
internal sealed class PortalRevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IServiceProvider services)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => PortalSessionRevalidation.Interval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        IsStillValidAsync(authenticationState.User, cancellationToken);

    internal async Task<bool> IsStillValidAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (PortalPrincipal.Read(user) is not { } current || PortalSessionRevalidation.IsExpired(user, services))
        {
            return false;
        }

        // The circuit's own scope may be busy rendering; the check gets a scope (and DbContext) of its own.
        await using var scope = scopes.CreateAsyncScope();
        var fresh = await scope.ServiceProvider.GetRequiredService<PortalSessionFactory>()
            .CreateAsync(current.UserId, current.Tenant?.Id, current.SignInMethod, cancellationToken);
        return fresh is not null;
    }
}
