using Portal.Data;
using Portal.Web.Identity;

namespace Portal.Web.Audit;

/// <summary>
/// Records every sign-in outcome: <c>signin.succeeded</c> in the chain of the tenant the person
/// starts working in, <c>signin.refused</c> and <c>signin.locked_out</c> in the platform chain (no
/// tenant is known for a refused person). Local refusals name the e-mail typed, never the password.
/// </summary>
public sealed class SignInAudit(PortalDbContext db, AuditLog log)
{
    public const string Succeeded = "signin.succeeded";

    public const string Refused = "signin.refused";

    public const string LockedOut = "signin.locked_out";

    private const int MaxEmailLength = 256;

    public Task RecordLocalAsync(string email, LocalSignInResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Session is { } session)
        {
            return RecordSuccessAsync(session, cancellationToken);
        }

        var typed = email.Trim().ToLowerInvariant();
        typed = typed.Length > MaxEmailLength ? typed[..MaxEmailLength] : typed;
        var entry = result.Outcome == LocalSignInOutcome.LockedOut
            ? new AuditEntry(LockedOut, null, $"account:{typed}", After: new { Method = PortalSession.LocalSignIn, result.LockedUntil })
            : new AuditEntry(Refused, null, $"account:{typed}", After: new { Method = PortalSession.LocalSignIn, Reason = result.Outcome.ToString() });
        return log.RecordAsync(db, entry, cancellationToken);
    }

    /// <summary>An external sign-in through <paramref name="scheme"/>: the session, or the refusal code.</summary>
    public Task RecordExternalAsync(string scheme, PortalSession? session, string? refusalReason, CancellationToken cancellationToken) =>
        session is not null
            ? RecordSuccessAsync(session, cancellationToken)
            : log.RecordAsync(db, new AuditEntry(Refused, null, $"provider:{scheme}", After: new { Method = scheme, Reason = refusalReason }), cancellationToken);

    private Task RecordSuccessAsync(PortalSession session, CancellationToken cancellationToken) =>
        log.RecordAsync(
            db,
            new AuditEntry(Succeeded, session.UserId, $"user:{session.UserId}", After: new { Method = session.SignInMethod, Tenant = session.Tenant?.Name }, TenantId: session.Tenant?.Id),
            cancellationToken);
}
