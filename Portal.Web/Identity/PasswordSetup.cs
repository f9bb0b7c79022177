using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Audit;

namespace Portal.Web.Identity;

/// <summary>
/// What a one-time link does (<see cref="InvitationOptions.SetupPath"/>): it only ever sets a password,
/// works once and expires. An invitation to an address without an account creates the account with the
/// password its owner chose and the membership. An invitation to an address that already has an account
/// changes nothing there (the owner accepts after signing in, <see cref="PendingInvitations"/>), yet
/// answers exactly like the first case, so whoever holds the link learns nothing about the address.
/// An administrator's reset link sets the new password of that one account.
/// </summary>
public sealed class PasswordSetup(
    PortalDbContext db,
    ITenantContext tenantContext,
    UserManager<LocalAccount> users,
    AuditLog audit,
    TimeProvider time)
{
    public const string InvalidLink = "This link is not valid. Check that you copied all of it, or ask your administrator for a new one.";
    public const string ExpiredLink = "This link has expired. Ask your administrator for a new one.";
    public const string UsedLink = "This link was already used or withdrawn. If you already have an account, sign in to see your invitations; otherwise ask your administrator for a new link.";
    public const string PasswordsDiffer = "The two passwords are not the same.";

    /// <summary>What the link is for, or why it cannot be used; nothing changes.</summary>
    public async Task<SetupLinkCheck> InspectAsync(string? token, CancellationToken cancellationToken)
    {
        var found = await FindAsync(token, cancellationToken);
        return found.Refusal is { } refusal
            ? new SetupLinkCheck(null, refusal)
            : new SetupLinkCheck(found.Link, null);
    }

    /// <summary>Uses the link to set <paramref name="password"/>; on any refusal nothing is changed and the link stays as it was.</summary>
    public async Task<SetupResult> CompleteAsync(string? token, string? password, string? confirmation, string? displayName, CancellationToken cancellationToken)
    {
        var found = await FindAsync(token, cancellationToken);
        if (found.Refusal is { } refusal)
        {
            return SetupResult.Refused(refusal);
        }

        if (!string.Equals(password, confirmation, StringComparison.Ordinal))
        {
            return SetupResult.PasswordRejected(PasswordsDiffer);
        }

        password ??= "";
        using var platform = tenantContext.BeginPlatformScope();
        return found.Invitation is { } invitation
            ? await UseInvitationAsync(invitation, found.Hash!, password, displayName, cancellationToken)
            : await UseResetAsync(found.Reset!, found.Hash!, password, cancellationToken);
    }

    /// <summary>The invitee says no through the link (possible whether or not the address has an account); false when the link cannot be used.</summary>
    public async Task<bool> DeclineAsync(string? token, CancellationToken cancellationToken)
    {
        var found = await FindAsync(token, cancellationToken);
        if (found.Invitation is not { } invitation)
        {
            return false;
        }

        using var platform = tenantContext.BeginPlatformScope();
        if (!await ClaimInvitationAsync(invitation.Id, found.Hash!, time.GetUtcNow(), LinkUse.Decline, cancellationToken))
        {
            return false;
        }

        await audit.RecordAsync(db, new AuditEntry("invitation.declined", null, $"invitation:{invitation.Id}", TenantId: invitation.TenantId), CancellationToken.None);
        return true;
    }

    private async Task<SetupResult> UseInvitationAsync(Invitation invitation, byte[] hash, string password, string? displayName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var existing = await users.FindByEmailAsync(invitation.Email);
        if (existing is not null)
        {
            // Same work and the same answer as a new account, but the account and its password stay as they are.
            users.PasswordHasher.HashPassword(existing, password);
            if (!await ClaimInvitationAsync(invitation.Id, hash, now, LinkUse.UseOnly, cancellationToken))
            {
                return SetupResult.Refused(UsedLink);
            }

            await audit.RecordAsync(db, new AuditEntry("invitation.link_used", null, $"invitation:{invitation.Id}", TenantId: invitation.TenantId), CancellationToken.None);
            return SetupResult.Done(SetupLinkKind.Invitation);
        }

        var account = new LocalAccount { Id = Guid.NewGuid(), UserName = invitation.Email, Email = invitation.Email };
        if (await PasswordProblemsAsync(account, password) is { } problems)
        {
            return SetupResult.PasswordRejected(problems);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await ClaimInvitationAsync(invitation.Id, hash, now, LinkUse.Accept, cancellationToken))
        {
            return SetupResult.Refused(UsedLink);
        }

        var name = string.IsNullOrWhiteSpace(displayName) ? invitation.DisplayName ?? invitation.Email : displayName.Trim();
        var user = new User { Id = account.Id, DisplayName = name[..Math.Min(name.Length, 200)], Email = invitation.Email, CreatedAt = now };
        db.PortalUsers.Add(user);
        var membership = new Membership { TenantId = invitation.TenantId, UserId = user.Id, Roles = invitation.Roles, CreatedAt = now };
        db.Memberships.Add(membership);
        audit.Add(db, new AuditEntry("invitation.accepted", user.Id, $"invitation:{invitation.Id}",
            After: new { MembershipId = membership.Id, membership.Roles, Account = "new" }, TenantId: invitation.TenantId));

        // UserManager saves through the same context: person, membership, credential and audit in one transaction.
        var created = await users.CreateAsync(account, password);
        if (!created.Succeeded)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return SetupResult.PasswordRejected(string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        await transaction.CommitAsync(cancellationToken);
        return SetupResult.Done(SetupLinkKind.Invitation);
    }

    private async Task<SetupResult> UseResetAsync(PasswordReset reset, byte[] hash, string password, CancellationToken cancellationToken)
    {
        var account = await users.FindByIdAsync(reset.UserId.ToString());
        if (account is null)
        {
            return SetupResult.Refused(InvalidLink);
        }

        if (await PasswordProblemsAsync(account, password) is { } problems)
        {
            return SetupResult.PasswordRejected(problems);
        }

        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.PasswordResets
            .Where(r => r.Id == reset.Id && r.SecretHash == hash && r.UsedAt == null && r.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UsedAt, (DateTimeOffset?)now), cancellationToken);
        if (claimed != 1)
        {
            return SetupResult.Refused(UsedLink);
        }

        await users.RemovePasswordAsync(account);
        audit.Add(db, new AuditEntry("account.password_set", account.Id, $"user:{account.Id}", After: new { ResetId = reset.Id }, TenantId: reset.TenantId));
        var added = await users.AddPasswordAsync(account, password);
        if (!added.Succeeded)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            db.ChangeTracker.Clear();
            return SetupResult.PasswordRejected(string.Join(" ", added.Errors.Select(e => e.Description)));
        }

        await transaction.CommitAsync(cancellationToken);
        return SetupResult.Done(SetupLinkKind.Reset);
    }

    /// <summary>
    /// The link's single use: one conditional update, so of two requests racing with the same link only
    /// one changes the row; a link issued again (new secret) or withdrawn in between matches no row.
    /// </summary>
    private async Task<bool> ClaimInvitationAsync(Guid id, byte[] hash, DateTimeOffset now, LinkUse use, CancellationToken cancellationToken)
    {
        var usable = db.Invitations.Where(i => i.Id == id && i.SecretHash == hash && i.SecretUsedAt == null
            && i.AcceptedAt == null && i.DeclinedAt == null && i.RevokedAt == null && i.ExpiresAt > now);
        DateTimeOffset? at = now;
        var changed = use switch
        {
            LinkUse.Accept => await usable.ExecuteUpdateAsync(s => s.SetProperty(i => i.SecretUsedAt, at).SetProperty(i => i.AcceptedAt, at), cancellationToken),
            LinkUse.Decline => await usable.ExecuteUpdateAsync(s => s.SetProperty(i => i.SecretUsedAt, at).SetProperty(i => i.DeclinedAt, at), cancellationToken),
            _ => await usable.ExecuteUpdateAsync(s => s.SetProperty(i => i.SecretUsedAt, at), cancellationToken),
        };
        return changed == 1;
    }

    private enum LinkUse
    {
        Accept,
        Decline,
        UseOnly,
    }

    /// <summary>The portal's password rules (Identity's validators with <see cref="LocalAccountOptions"/>), before anything is used up.</summary>
    private async Task<string?> PasswordProblemsAsync(LocalAccount account, string password)
    {
        var errors = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, account, password);
            errors.AddRange(result.Errors.Select(e => e.Description));
        }

        return errors.Count == 0 ? null : string.Join(" ", errors);
    }

    private async Task<FoundLink> FindAsync(string? token, CancellationToken cancellationToken)
    {
        if (!OneTimeSecret.TryRead(token, out var id, out var hash))
        {
            return FoundLink.Refused(InvalidLink);
        }

        var now = time.GetUtcNow();
        using var platform = tenantContext.BeginPlatformScope();
        var invitation = await db.Invitations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (invitation is not null)
        {
            if (!OneTimeSecret.Matches(invitation.SecretHash, hash))
            {
                return FoundLink.Refused(InvalidLink);
            }

            if (invitation.SecretUsedAt is not null || invitation.AcceptedAt is not null || invitation.DeclinedAt is not null || invitation.RevokedAt is not null)
            {
                return FoundLink.Refused(UsedLink);
            }

            if (invitation.ExpiresAt <= now)
            {
                return FoundLink.Refused(ExpiredLink);
            }

            var tenantName = await db.Tenants.Where(t => t.Id == invitation.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
            return new FoundLink(new SetupLink(SetupLinkKind.Invitation, invitation.Email, tenantName, invitation.DisplayName), invitation, null, hash, null);
        }

        var reset = await db.PasswordResets.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (reset is null || !OneTimeSecret.Matches(reset.SecretHash, hash))
        {
            return FoundLink.Refused(InvalidLink);
        }

        if (reset.UsedAt is not null)
        {
            return FoundLink.Refused(UsedLink);
        }

        if (reset.ExpiresAt <= now)
        {
            return FoundLink.Refused(ExpiredLink);
        }

        var email = await db.PortalUsers.Where(u => u.Id == reset.UserId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        return new FoundLink(new SetupLink(SetupLinkKind.Reset, email ?? "", null, null), null, reset, hash, null);
    }

    private sealed record FoundLink(SetupLink? Link, Invitation? Invitation, PasswordReset? Reset, byte[]? Hash, string? Refusal)
    {
        public static FoundLink Refused(string message) => new(null, null, null, null, message);
    }
}

public enum SetupLinkKind
{
    Invitation,
    Reset,
}

/// <summary>What a valid link is for: the address it names and, for an invitation, the tenant.</summary>
public sealed record SetupLink(SetupLinkKind Kind, string Email, string? TenantName, string? SuggestedName);

public sealed record SetupLinkCheck(SetupLink? Link, string? Refusal);

public sealed record SetupResult(bool Succeeded, SetupLinkKind Kind, string? LinkRefusal, string? PasswordProblem)
{
    public static SetupResult Done(SetupLinkKind kind) => new(true, kind, null, null);

    public static SetupResult Refused(string message) => new(false, default, message, null);

    public static SetupResult PasswordRejected(string message) => new(false, default, null, message);
}
