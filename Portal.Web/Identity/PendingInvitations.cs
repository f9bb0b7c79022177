using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Audit;

namespace Portal.Web.Identity;

/// <summary>
/// The invitee's side of invitations to an address that already has an account: after signing in with
/// that local account, its owner sees the pending invitations to its e-mail address and joins a tenant
/// only by accepting (or declines). Nothing here is reachable for another person's invitations.
/// </summary>
public sealed class PendingInvitations(
    PortalDbContext db,
    ITenantContext tenantContext,
    UserManager<LocalAccount> users,
    AuditLog audit,
    SessionInvalidation sessions,
    TimeProvider time)
{
    public const string NotFound = "That invitation does not exist, has expired or was withdrawn.";

    /// <summary>Pending, unexpired invitations to the local account's address; none for people without a local account.</summary>
    public async Task<IReadOnlyList<PendingInvitationView>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (await LocalEmailAsync(userId) is not { } email)
        {
            return [];
        }

        var now = time.GetUtcNow();
        using var platform = tenantContext.BeginPlatformScope();
        var pending = await db.Invitations.AsNoTracking()
            .Where(i => i.Email == email && i.AcceptedAt == null && i.DeclinedAt == null && i.RevokedAt == null)
            .Join(db.Tenants, i => i.TenantId, t => t.Id, (i, t) => new { Invitation = i, TenantName = t.Name, t.IsSuspended })
            .ToListAsync(cancellationToken);
        return [.. pending
            .Where(p => p.Invitation.ExpiresAt > now && !p.IsSuspended)
            .OrderBy(p => p.Invitation.CreatedAt)
            .Select(p => new PendingInvitationView(p.Invitation.Id, p.TenantName, p.Invitation.Roles, p.Invitation.ExpiresAt))];
    }

    /// <summary>Joins the tenant with the invited roles (once: a conditional update), or does nothing when the person already belongs to it.</summary>
    public Task<string> AcceptAsync(Guid userId, Guid invitationId, CancellationToken cancellationToken) =>
        DecideAsync(userId, invitationId, accept: true, cancellationToken);

    public Task<string> DeclineAsync(Guid userId, Guid invitationId, CancellationToken cancellationToken) =>
        DecideAsync(userId, invitationId, accept: false, cancellationToken);

    private async Task<string> DecideAsync(Guid userId, Guid invitationId, bool accept, CancellationToken cancellationToken)
    {
        if (await LocalEmailAsync(userId) is not { } email)
        {
            throw new InvitationException(NotFound);
        }

        var now = time.GetUtcNow();
        DateTimeOffset? at = now;
        using var platform = tenantContext.BeginPlatformScope();
        var invitation = await db.Invitations.AsNoTracking().SingleOrDefaultAsync(i => i.Id == invitationId && i.Email == email, cancellationToken);
        var tenant = invitation is null ? null : await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == invitation.TenantId, cancellationToken);
        if (invitation is null || tenant is null || tenant.IsSuspended)
        {
            throw new InvitationException(NotFound);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var usable = db.Invitations.Where(i => i.Id == invitationId && i.Email == email
            && i.AcceptedAt == null && i.DeclinedAt == null && i.RevokedAt == null && i.ExpiresAt > now);
        var changed = accept
            ? await usable.ExecuteUpdateAsync(s => s.SetProperty(i => i.AcceptedAt, at), cancellationToken)
            : await usable.ExecuteUpdateAsync(s => s.SetProperty(i => i.DeclinedAt, at), cancellationToken);
        if (changed != 1)
        {
            throw new InvitationException(NotFound);
        }

        var joined = accept && !await db.Memberships.AnyAsync(m => m.TenantId == invitation.TenantId && m.UserId == userId, cancellationToken);
        if (joined)
        {
            db.Memberships.Add(new Membership { TenantId = invitation.TenantId, UserId = userId, Roles = invitation.Roles, CreatedAt = now });
        }

        audit.Add(db, new AuditEntry(accept ? "invitation.accepted" : "invitation.declined", userId, $"invitation:{invitation.Id}",
            After: new { invitation.Roles, Account = "existing", Joined = joined }, TenantId: invitation.TenantId));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // The cookie's tenant list is rebuilt at the next request.
        sessions.AccessChanged(userId);
        return tenant.Name;
    }

    private async Task<string?> LocalEmailAsync(Guid userId) =>
        await users.FindByIdAsync(userId.ToString()) is { Email: { } email } ? Invitation.NormalizeEmail(email) : null;
}

public sealed record PendingInvitationView(Guid Id, string TenantName, TenantRoles Roles, DateTimeOffset ExpiresAt);

/// <summary>A refusal the invitee reads.</summary>
public sealed class InvitationException(string message) : Exception(message);
