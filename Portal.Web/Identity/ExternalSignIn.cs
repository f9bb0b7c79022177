using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Tenants;

namespace Portal.Web.Identity;

/// <summary>
/// Turns a validated external identity into a portal session: finds the tenant mappings of the
/// person's directory (and groups), creates the domain <see cref="User"/> and memberships on first
/// sign-in, and applies their app roles.
/// </summary>
public sealed partial class ExternalSignIn(
    PortalDbContext db,
    ITenantContext tenantContext,
    PortalSessionFactory sessions,
    IOptions<ExternalSignInOptions> options,
    TimeProvider time,
    ILogger<ExternalSignIn> logger)
{
    public async Task<ExternalSignInResult> SignInAsync(ExternalIdentity identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);

        // Mappings, people and memberships across tenants: nobody's tenant is known yet.
        using var platform = tenantContext.BeginPlatformScope();
        var mappings = await db.ExternalTenantMappings.AsNoTracking()
            .Where(m => m.ExternalTenantId == identity.TenantId)
            .ToListAsync(cancellationToken);
        var matched = mappings
            .Where(m => m.ExternalGroupId is null || identity.Groups.Contains(m.ExternalGroupId, StringComparer.OrdinalIgnoreCase))
            .OrderBy(m => m.ExternalGroupId is null) // a group's mapping is more specific than the directory's
            .ToList();
        if (matched.Count == 0)
        {
            LogUnmapped(identity.Scheme, identity.TenantId);
            return ExternalSignInResult.Refused(SignInRefusal.UnmappedTenant);
        }

        var user = await db.PortalUsers.SingleOrDefaultAsync(
            u => u.ExternalScheme == identity.Scheme && u.ExternalIssuer == identity.Issuer && u.ExternalObjectId == identity.ObjectId, cancellationToken)
            ?? await Admin.ExternalPreRegistration.ClaimAsync(db, identity, cancellationToken);
        if (user is { IsDisabled: true })
        {
            return ExternalSignInResult.Refused(SignInRefusal.AccountDisabled);
        }

        var now = time.GetUtcNow();
        if (user is null)
        {
            user = new User
            {
                DisplayName = identity.DisplayName,
                ExternalTenantId = identity.TenantId,
                ExternalObjectId = identity.ObjectId,
                ExternalScheme = identity.Scheme,
                ExternalIssuer = identity.Issuer,
                CreatedAt = now,
            };
            db.PortalUsers.Add(user);
            LogFirstSignIn(identity.Scheme, identity.TenantId, identity.ObjectId);
        }

        user.DisplayName = identity.DisplayName;
        user.Email = identity.Email;

        // Platform rights never come from a token (every directory assigns its own app roles): only the
        // configured bootstrap list grants them here, and nothing here ever takes them away.
        if (options.Value.IsConfiguredPlatformAdmin(identity))
        {
            user.IsPlatformAdmin = true;
        }

        await EnsureMembershipsAsync(user, matched, MapTenantRoles(identity.Roles), now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);

        var session = await sessions.CreateAsync(user.Id, matched[0].PortalTenantId, identity.Scheme, cancellationToken);
        if (session is null)
        {
            return ExternalSignInResult.Refused(SignInRefusal.AccountDisabled);
        }

        return session.Tenant is null && !session.IsPlatformAdmin
            ? ExternalSignInResult.Refused(SignInRefusal.NoActiveTenant)
            : ExternalSignInResult.SignedIn(session);
    }

    /// <summary>
    /// One membership per mapped tenant (token roles reach only these). Tenant roles from the token
    /// replace the stored ones when the token carries any, unless a portal admin has set the member's
    /// roles in the portal; a new membership without token roles gets the mapping's default roles.
    /// </summary>
    private async Task EnsureMembershipsAsync(
        User user, List<ExternalTenantMapping> matched, TenantRoles tokenRoles, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tenantIds = matched.Select(m => m.PortalTenantId).Distinct().ToList();
        var existing = await db.Memberships
            .Where(m => m.UserId == user.Id && tenantIds.Contains(m.TenantId))
            .ToListAsync(cancellationToken);
        foreach (var mapping in matched.DistinctBy(m => m.PortalTenantId))
        {
            var membership = existing.SingleOrDefault(m => m.TenantId == mapping.PortalTenantId);
            if (membership is null)
            {
                db.Memberships.Add(new Membership
                {
                    TenantId = mapping.PortalTenantId,
                    UserId = user.Id,
                    Roles = tokenRoles == TenantRoles.None ? mapping.DefaultRoles : tokenRoles,
                    CreatedAt = now,
                });
            }
            else if (tokenRoles != TenantRoles.None && !membership.RolesSetInPortal)
            {
                membership.Roles = tokenRoles;
            }
        }
    }

    private TenantRoles MapTenantRoles(IReadOnlyList<string> appRoles)
    {
        var tenantRoles = TenantRoles.None;
        foreach (var appRole in appRoles)
        {
            if (options.Value.RoleMap.TryGetValue(appRole, out var portalRole) && Enum.TryParse<TenantRoles>(portalRole, out var role))
            {
                tenantRoles |= role;
            }
        }

        return tenantRoles;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in through {Scheme} refused: directory tenant {ExternalTenantId} is not mapped to a portal tenant")]
    private partial void LogUnmapped(string scheme, string externalTenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "First sign-in through {Scheme} of {ExternalTenantId}/{ExternalObjectId}: portal user created")]
    private partial void LogFirstSignIn(string scheme, string externalTenantId, string externalObjectId);
}

public sealed record ExternalSignInResult(PortalSession? Session, string? RefusalReason)
{
    public static ExternalSignInResult SignedIn(PortalSession session) => new(session, null);

    public static ExternalSignInResult Refused(string reason) => new(null, reason);
}
