using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Audit;
using Portal.Web.Identity;

namespace Portal.Web.Admin;

/// <summary>
/// A tenant administrator's invitations: invite an e-mail address, list, withdraw, issue again. An
/// invitation names an address, never an account: the answer is the same whether the address has an
/// account (anywhere) or not, and nobody's membership changes until the invitee acts
/// (<see cref="PasswordSetup"/>, <see cref="PendingInvitations"/>). The link is returned once; only the
/// hash of its secret is kept. Another tenant's id answers "not found", like an unknown one.
/// </summary>
public sealed class InvitationAdministration(
    PortalDbContext db,
    ITenantContext tenantContext,
    AuditLog audit,
    IOptions<InvitationOptions> options,
    TimeProvider time)
{
    public async Task<IReadOnlyList<InvitationView>> ListAsync(AdminActor actor, Guid tenantId, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, $"tenant:{tenantId}");
        var now = time.GetUtcNow();
        using var platform = tenantContext.BeginPlatformScope();
        var invitations = await db.Invitations.AsNoTracking().Where(i => i.TenantId == tenantId).ToListAsync(cancellationToken);
        return [.. invitations.OrderByDescending(i => i.CreatedAt).Select(i => InvitationView.From(i, now))];
    }

    public async Task<IssuedInvitation> InviteAsync(
        AdminActor actor, Guid tenantId, string email, string? displayName, TenantRoles roles, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, $"tenant:{tenantId}");
        email = Invitation.NormalizeEmail(email);
        if (email.Length is < 3 or > 256 || email.IndexOf('@', StringComparison.Ordinal) is <= 0 || email.EndsWith('@') || email.Any(char.IsWhiteSpace))
        {
            throw new AdminException(AdminFailure.Invalid, "Give the person's e-mail address.");
        }

        var now = time.GetUtcNow();
        using var platform = tenantContext.BeginPlatformScope();
        if (await db.Invitations.AnyAsync(i => i.TenantId == tenantId && i.Email == email
                && i.AcceptedAt == null && i.DeclinedAt == null && i.RevokedAt == null && i.ExpiresAt > now, cancellationToken))
        {
            throw new AdminException(AdminFailure.Invalid, $"{email} already has a pending invitation; issue that one again for a new link.");
        }

        var invitation = new Invitation
        {
            TenantId = tenantId,
            Email = email,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? null : displayName.Trim()[..Math.Min(displayName.Trim().Length, 200)],
            Roles = roles == TenantRoles.None ? TenantRoles.Member : roles,
            InvitedByUserId = actor.UserId,
            CreatedAt = now,
            ExpiresAt = now + options.Value.LinkLifetime,
            SecretHash = [],
        };
        var (token, hash) = OneTimeSecret.Create(invitation.Id);
        invitation.SecretHash = hash;
        db.Invitations.Add(invitation);
        audit.Add(db, new AuditEntry("invitation.created", actor.UserId, $"invitation:{invitation.Id}",
            After: new { invitation.Email, invitation.Roles, invitation.ExpiresAt }, TenantId: tenantId));
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedInvitation(invitation.Id, email, InvitationOptions.LinkFor(token), invitation.ExpiresAt);
    }

    /// <summary>Withdraws a pending invitation: its link stops working and the invitee no longer sees it.</summary>
    public async Task RevokeAsync(AdminActor actor, Guid tenantId, Guid invitationId, CancellationToken cancellationToken)
    {
        using var platform = tenantContext.BeginPlatformScope();
        var invitation = await FindAsync(actor, tenantId, invitationId, cancellationToken);
        if (invitation.AcceptedAt is not null)
        {
            throw new AdminException(AdminFailure.Invalid, "This invitation was accepted; disable the member instead.");
        }

        invitation.RevokedAt ??= time.GetUtcNow();
        audit.Add(db, new AuditEntry("invitation.revoked", actor.UserId, $"invitation:{invitation.Id}", After: new { invitation.Email }, TenantId: tenantId));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A new link (the old one stops working) and a new expiry, for an invitation not yet accepted.</summary>
    public async Task<IssuedInvitation> ReissueAsync(AdminActor actor, Guid tenantId, Guid invitationId, CancellationToken cancellationToken)
    {
        using var platform = tenantContext.BeginPlatformScope();
        var invitation = await FindAsync(actor, tenantId, invitationId, cancellationToken);
        if (invitation.AcceptedAt is not null)
        {
            throw new AdminException(AdminFailure.Invalid, "This invitation was already accepted.");
        }

        var now = time.GetUtcNow();
        var (token, hash) = OneTimeSecret.Create(invitation.Id);
        (invitation.SecretHash, invitation.SecretUsedAt, invitation.RevokedAt, invitation.DeclinedAt) = (hash, null, null, null);
        invitation.ExpiresAt = now + options.Value.LinkLifetime;
        audit.Add(db, new AuditEntry("invitation.reissued", actor.UserId, $"invitation:{invitation.Id}", After: new { invitation.Email, invitation.ExpiresAt }, TenantId: tenantId));
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedInvitation(invitation.Id, invitation.Email, InvitationOptions.LinkFor(token), invitation.ExpiresAt);
    }

    private async Task<Invitation> FindAsync(AdminActor actor, Guid tenantId, Guid invitationId, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, $"tenant:{tenantId}");
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.Id == invitationId && i.TenantId == tenantId, cancellationToken);
        if (invitation is null)
        {
            await RefuseAsync(actor, $"invitation:{invitationId}");
        }

        return invitation!;
    }

    /// <summary>Another tenant's id gets the same "not found" as an unknown one, and an audit entry.</summary>
    private async Task RequireAccessAsync(AdminActor actor, Guid tenantId, string target)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.MayAdminister(tenantId))
        {
            await RefuseAsync(actor, target);
        }
    }

    private async Task RefuseAsync(AdminActor actor, string target)
    {
        await audit.RecordAsync(db, new AuditEntry("invitation.access_refused", actor.UserId, target, TenantId: actor.ActiveTenantId), CancellationToken.None);
        throw new AdminException(AdminFailure.NotFound, "That tenant or invitation does not exist.");
    }
}

/// <summary>The link to hand over, shown once.</summary>
public sealed record IssuedInvitation(Guid InvitationId, string Email, string Link, DateTimeOffset ExpiresAt);

/// <summary>
/// An invitation as its tenant's administrators see it. The state never depends on whether the address
/// had an account: a used link of an existing account stays "Pending" until its owner accepts.
/// </summary>
public sealed record InvitationView(Guid Id, string Email, TenantRoles Roles, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string State)
{
    public bool CanRevoke => State == "Pending";

    public bool CanReissue => State != "Accepted";

    public static InvitationView From(Invitation invitation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(invitation);
        var state = invitation switch
        {
            { AcceptedAt: not null } => "Accepted",
            { RevokedAt: not null } => "Withdrawn",
            { DeclinedAt: not null } => "Declined",
            _ when invitation.ExpiresAt <= now => "Expired",
            _ => "Pending",
        };
        return new InvitationView(invitation.Id, invitation.Email, invitation.Roles, invitation.CreatedAt, invitation.ExpiresAt, state);
    }
}
