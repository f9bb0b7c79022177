using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Web.Identity;

namespace Portal.Web.Audit;

/// <summary>
/// Records every sign-in outcome: <c>signin.succeeded</c> in the chain of the tenant the person
/// starts working in; a local <c>signin.refused</c>, <c>signin.locked_out</c> or <c>signin.throttled</c> in the chain of every
/// tenant the account belongs to (so their auditors see it), or the platform chain for an unknown
/// e-mail; an external refusal in the platform chain (no tenant is known for it). Local refusals
/// name the e-mail typed, never the password.
/// </summary>
public sealed class SignInAudit(PortalDbContext db, ITenantContext tenantContext, AuditLog log)
{
    public const string Succeeded = "signin.succeeded";

    public const string Refused = "signin.refused";

    public const string LockedOut = "signin.locked_out";

    /// <summary>An attempt turned away by the sign-in throttle before any password was checked.</summary>
    public const string Throttled = "signin.throttled";

    private const int MaxEmailLength = 256;

    public async Task RecordLocalAsync(string email, LocalSignInResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Session is { } session)
        {
            await RecordSuccessAsync(session, cancellationToken);
            return;
        }

        await RecordForAccountAsync(email, (typed, tenantId) => result.Outcome == LocalSignInOutcome.LockedOut
            ? new AuditEntry(LockedOut, null, $"account:{typed}", After: new { Method = PortalSession.LocalSignIn, result.LockedUntil }, TenantId: tenantId)
            : new AuditEntry(Refused, null, $"account:{typed}", After: new { Method = PortalSession.LocalSignIn, Reason = result.Outcome.ToString() }, TenantId: tenantId),
            cancellationToken);
    }

    /// <summary>A local attempt the throttle turned away (too many failures for this address or source).</summary>
    public Task RecordThrottledAsync(string email, CancellationToken cancellationToken) =>
        RecordForAccountAsync(email, (typed, tenantId) =>
            new AuditEntry(Throttled, null, $"account:{typed}", After: new { Method = PortalSession.LocalSignIn }, TenantId: tenantId),
            cancellationToken);

    /// <summary>One entry per tenant of the account the typed e-mail names (the platform chain when none).</summary>
    private async Task RecordForAccountAsync(string email, Func<string, Guid?, AuditEntry> entryFor, CancellationToken cancellationToken)
    {
        var typed = email.Trim().ToLowerInvariant();
        typed = typed.Length > MaxEmailLength ? typed[..MaxEmailLength] : typed;
        foreach (var tenantId in await TenantsOfAccountAsync(typed, cancellationToken))
        {
            log.Add(db, entryFor(typed, tenantId));
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>An external sign-in through <paramref name="scheme"/>: the session, or the refusal code.</summary>
    public Task RecordExternalAsync(string scheme, PortalSession? session, string? refusalReason, CancellationToken cancellationToken) =>
        session is not null
            ? RecordSuccessAsync(session, cancellationToken)
            : log.RecordAsync(db, new AuditEntry(Refused, null, $"provider:{scheme}", After: new { Method = scheme, Reason = refusalReason }), cancellationToken);

    /// <summary>The tenants of the local account with this e-mail; the platform (null) when there is none.</summary>
    private async Task<IReadOnlyList<Guid?>> TenantsOfAccountAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = email.ToUpperInvariant();
        using var platform = tenantContext.BeginPlatformScope();
        var tenants = await db.Memberships.AsNoTracking()
            .Where(m => db.Users.Any(a => a.Id == m.UserId && a.NormalizedEmail == normalized))
            .Select(m => (Guid?)m.TenantId)
            .Distinct()
            .ToListAsync(cancellationToken);
        return tenants.Count > 0 ? tenants : [null];
    }

    private Task RecordSuccessAsync(PortalSession session, CancellationToken cancellationToken) =>
        log.RecordAsync(
            db,
            new AuditEntry(Succeeded, session.UserId, $"user:{session.UserId}", After: new { Method = session.SignInMethod, Tenant = session.Tenant?.Name }, TenantId: session.Tenant?.Id),
            cancellationToken);
}
