using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Web.Audit;
using Portal.Web.Chat;

namespace Portal.Web.Identity;

/// <summary>
/// A local account's owner changes their password, giving the current one. The person's credentials
/// version moves on, so every other session of theirs ends at its next check (cookies and open pages,
/// <see cref="PortalSessionRevalidation"/>) and their chat connections close now; the caller re-issues
/// the session it runs in.
/// </summary>
public sealed class PasswordChange(
    PortalDbContext db,
    UserManager<LocalAccount> users,
    AuditLog audit,
    SessionInvalidation sessions,
    IAccessRevocation revocation)
{
    public async Task<PasswordChangeOutcome> ChangeAsync(Guid userId, string? current, string? next, string? confirmation, CancellationToken cancellationToken)
    {
        var account = await users.FindByIdAsync(userId.ToString());
        if (account is null)
        {
            return PasswordChangeOutcome.NoLocalAccount;
        }

        if (!string.Equals(next, confirmation, StringComparison.Ordinal))
        {
            return PasswordChangeOutcome.PasswordsDiffer;
        }

        if (string.IsNullOrEmpty(current) || !await users.CheckPasswordAsync(account, current))
        {
            return PasswordChangeOutcome.WrongCurrentPassword;
        }

        var person = await db.PortalUsers.SingleAsync(u => u.Id == userId, cancellationToken);
        person.CredentialsVersion++;
        audit.Add(db, new AuditEntry("account.password_changed", userId, $"user:{userId}"));

        // UserManager saves through the same context: password, credentials version and audit entry together.
        var changed = await users.ChangePasswordAsync(account, current, next ?? "");
        if (!changed.Succeeded)
        {
            db.ChangeTracker.Clear();
            return PasswordChangeOutcome.BreaksRules;
        }

        sessions.AccessChanged(userId);
        await revocation.RevokeAsync(userId, null, CancellationToken.None);
        return PasswordChangeOutcome.Changed;
    }
}

public enum PasswordChangeOutcome
{
    Changed,
    NoLocalAccount,
    PasswordsDiffer,
    WrongCurrentPassword,
    BreaksRules,
}
