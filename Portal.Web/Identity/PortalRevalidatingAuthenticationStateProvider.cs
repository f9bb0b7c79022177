using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace Portal.Web.Identity;

/// <summary>
/// A Blazor circuit can outlive many cookie checks, so it follows the database itself: every
/// <see cref="CheckInterval"/> it looks whether an admin changed the person's or their tenant's access
/// on this instance (<see cref="SessionInvalidation"/>), and reads the database then, or at the latest
/// every <see cref="PortalSessionRevalidation.Interval"/> (changes made on another instance). A person
/// disabled, removed from the active tenant, demoted, or whose tenant was suspended, or whose session
/// outlived its absolute lifetime, loses the circuit's authentication: the router sends them to sign-in,
/// so an open page loses every capability within seconds.
/// </summary>
internal sealed class PortalRevalidatingAuthenticationStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IServiceProvider services, SessionInvalidation invalidation, TimeProvider time)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    /// <summary>How often the circuit looks for a change: an in-memory look, the database only when due.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private DateTimeOffset _lastDatabaseCheck = time.GetUtcNow();

    protected override TimeSpan RevalidationInterval => CheckInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        if (PortalPrincipal.Read(user) is not { } current || PortalSessionRevalidation.IsExpired(user, services))
        {
            return false;
        }

        var now = time.GetUtcNow();
        var changed = invalidation.ChangedSince(current.UserId, _lastDatabaseCheck)
            || current.Tenant is { } tenant && invalidation.ChangedSince(tenant.Id, _lastDatabaseCheck);
        if (!changed && now - _lastDatabaseCheck < PortalSessionRevalidation.Interval)
        {
            return true;
        }

        _lastDatabaseCheck = now;
        return await IsStillValidAsync(user, cancellationToken);
    }

    /// <summary>Reads the database: whether everything this principal grants is still granted.</summary>
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
        return fresh is not null && StillGrants(current, fresh);
    }

    /// <summary>A gained right can wait for the next page load; a lost one ends the circuit's authentication.</summary>
    private static bool StillGrants(PortalSession current, PortalSession fresh)
    {
        if ((current.IsPlatformAdmin && !fresh.IsPlatformAdmin) || current.CredentialsVersion != fresh.CredentialsVersion)
        {
            return false;
        }

        if (current.Tenant is null)
        {
            return fresh.IsPlatformAdmin || fresh.Tenant is not null;
        }

        return fresh.Tenant?.Id == current.Tenant.Id && (current.Tenant.Roles & ~fresh.Tenant.Roles) == 0;
    }
}
