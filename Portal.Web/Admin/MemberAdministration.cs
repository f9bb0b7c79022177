using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Audit;
using Portal.Web.Chat;
using Portal.Web.Identity;

namespace Portal.Web.Admin;

/// <summary>
/// The members of one tenant: pre-register people of an external directory, change roles, disable,
/// reset a local password (invitations: <see cref="InvitationAdministration"/>). Tenant administrators reach only their active tenant; another tenant's id
/// answers "not found", exactly like an id that does not exist. Every change is audited.
/// </summary>
public sealed class MemberAdministration(
    PortalDbContext db,
    ITenantContext tenantContext,
    UserManager<LocalAccount> userManager,
    AuditLog audit,
    IAccessRevocation revocation,
    SessionInvalidation sessions,
    IOptions<InvitationOptions> invitationOptions,
    TimeProvider time)
{
    public async Task<IReadOnlyList<MemberView>> ListAsync(AdminActor actor, Guid tenantId, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, cancellationToken);
        using var platform = tenantContext.BeginPlatformScope();
        return await db.Memberships.AsNoTracking()
            .Where(m => m.TenantId == tenantId)
            .OrderBy(m => m.User!.DisplayName)
            .Select(m => new MemberView(
                m.Id, m.UserId, m.User!.DisplayName, m.User.Email, m.User.ExternalTenantId != null, m.Roles, m.IsDisabled, m.User.IsDisabled))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Issues a one-time link with which the member sets a new password; the old password stops working
    /// for sign-in now and the person's sessions end. A tenant administrator may reset only a local
    /// account that belongs to no other tenant and is no platform administrator: anything else would
    /// reach into other tenants. The link is returned once; only its hash is kept.
    /// </summary>
    public async Task<IssuedPasswordReset> ResetPasswordAsync(AdminActor actor, Guid tenantId, Guid membershipId, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, cancellationToken);
        using var platform = tenantContext.BeginPlatformScope();
        var membership = await db.Memberships.Include(m => m.User)
            .SingleOrDefaultAsync(m => m.Id == membershipId && m.TenantId == tenantId, cancellationToken);
        if (membership is null)
        {
            await audit.RecordAsync(db, new AuditEntry("member.access_refused", actor.UserId, $"membership:{membershipId}", TenantId: actor.ActiveTenantId), CancellationToken.None);
            throw NotFound();
        }

        var user = membership.User!;
        if (user.Id == actor.UserId)
        {
            throw new AdminException(AdminFailure.Invalid, "Change your own password on the account page instead.");
        }

        var account = await userManager.FindByIdAsync(user.Id.ToString())
            ?? throw new AdminException(AdminFailure.Invalid, $"{user.DisplayName} signs in through a directory; their password is kept there.");
        if (!actor.IsPlatformAdmin
            && (user.IsPlatformAdmin || await db.Memberships.AnyAsync(m => m.UserId == user.Id && m.TenantId != tenantId, cancellationToken)))
        {
            throw new AdminException(AdminFailure.Forbidden, "Only a platform administrator can reset this person's password.");
        }

        var now = time.GetUtcNow();
        DateTimeOffset? at = now;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.PasswordResets.Where(r => r.UserId == user.Id && r.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UsedAt, at), cancellationToken); // an older link stops working
        var reset = new PasswordReset
        {
            UserId = user.Id,
            TenantId = tenantId,
            IssuedByUserId = actor.UserId,
            CreatedAt = now,
            ExpiresAt = now + invitationOptions.Value.ResetLinkLifetime,
            SecretHash = [],
        };
        var (token, hash) = OneTimeSecret.Create(reset.Id);
        reset.SecretHash = hash;
        db.PasswordResets.Add(reset);
        user.CredentialsVersion++;
        audit.Add(db, new AuditEntry("member.password_reset", actor.UserId, $"membership:{membership.Id}", After: new { ResetId = reset.Id, reset.ExpiresAt }, TenantId: tenantId));

        // UserManager saves through the same context: no password, the link, the new credentials version and the audit entry.
        var removed = await userManager.RemovePasswordAsync(account);
        if (!removed.Succeeded)
        {
            throw new AdminException(AdminFailure.Invalid, string.Join(" ", removed.Errors.Select(e => e.Description)));
        }

        await transaction.CommitAsync(cancellationToken);
        sessions.AccessChanged(user.Id);
        await revocation.RevokeAsync(user.Id, null, CancellationToken.None);
        return new IssuedPasswordReset(user.Email ?? user.DisplayName, InvitationOptions.LinkFor(token), reset.ExpiresAt);
    }

    /// <summary>
    /// Registers a person of an external directory ahead of their first sign-in: by object id (Entra
    /// 'oid'), or by e-mail, which is replaced by the object id at their first sign-in from that directory.
    /// </summary>
    public async Task<InvitedMember> PreRegisterExternalAsync(
        AdminActor actor, Guid tenantId, string externalTenantId, string externalObjectIdOrEmail, string displayName, TenantRoles roles, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, cancellationToken);
        externalTenantId = externalTenantId?.Trim() ?? "";
        var key = externalObjectIdOrEmail?.Trim() ?? "";
        if (externalTenantId.Length == 0 || key.Length == 0)
        {
            throw new AdminException(AdminFailure.Invalid, "Give the directory's tenant id (Entra 'tid') and the person's object id ('oid') or e-mail address.");
        }

        var byEmail = key.Contains('@', StringComparison.Ordinal);
        var email = byEmail ? key.ToLowerInvariant() : null;
        using var platform = tenantContext.BeginPlatformScope();
        var user = byEmail
            ? await db.PortalUsers.FirstOrDefaultAsync(u => u.ExternalTenantId == externalTenantId && u.ExternalObjectId == null && u.Email == email, cancellationToken)
            : await db.PortalUsers.FirstOrDefaultAsync(u => u.ExternalTenantId == externalTenantId && u.ExternalObjectId == key, cancellationToken);
        if (user is null)
        {
            user = new User
            {
                DisplayName = string.IsNullOrWhiteSpace(displayName) ? key : displayName.Trim(),
                Email = email,
                ExternalTenantId = externalTenantId,
                ExternalObjectId = byEmail ? null : key,
                CreatedAt = time.GetUtcNow(),
            };
            db.PortalUsers.Add(user);
        }

        var membership = await AddMembershipAsync(actor, tenantId, user, roles, cancellationToken);
        return new InvitedMember(membership.Id, user.Id);
    }

    public Task<MemberView> SetRolesAsync(AdminActor actor, Guid tenantId, Guid membershipId, TenantRoles roles, CancellationToken cancellationToken) =>
        ChangeAsync(actor, tenantId, membershipId, "member.roles_changed", m =>
        {
            m.Roles = roles;
            m.RolesSetInPortal = true; // the directory's token roles no longer overwrite this choice
        }, cancellationToken);

    /// <summary>A disabled member keeps their history but their sessions in this tenant end at their next request.</summary>
    public async Task<MemberView> SetDisabledAsync(AdminActor actor, Guid tenantId, Guid membershipId, bool disabled, CancellationToken cancellationToken)
    {
        var member = await ChangeAsync(actor, tenantId, membershipId, disabled ? "member.disabled" : "member.enabled", m => m.IsDisabled = disabled, cancellationToken);
        if (disabled)
        {
            // Cookies are re-checked at the next request; open chat connections and generations end now.
            await revocation.RevokeAsync(member.UserId, tenantId, CancellationToken.None);
        }

        return member;
    }

    private async Task<MemberView> ChangeAsync(
        AdminActor actor, Guid tenantId, Guid membershipId, string action, Action<Membership> change, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, cancellationToken);
        using var platform = tenantContext.BeginPlatformScope();
        var membership = await db.Memberships.Include(m => m.User)
            .SingleOrDefaultAsync(m => m.Id == membershipId && m.TenantId == tenantId, cancellationToken);
        if (membership is null)
        {
            // Unknown, or another tenant's member: the same answer, and recorded.
            await audit.RecordAsync(db, new AuditEntry("member.access_refused", actor.UserId, $"membership:{membershipId}", TenantId: actor.ActiveTenantId), CancellationToken.None);
            throw NotFound();
        }

        if (membership.UserId == actor.UserId && !actor.IsPlatformAdmin)
        {
            throw new AdminException(AdminFailure.Invalid, "You cannot change your own membership; ask another administrator.");
        }

        var before = new { membership.Roles, membership.IsDisabled };
        change(membership);
        audit.Add(db, new AuditEntry(action, actor.UserId, $"membership:{membership.Id}", before, new { membership.Roles, membership.IsDisabled }, tenantId));
        await db.SaveChangesAsync(cancellationToken);
        sessions.AccessChanged(membership.UserId);
        var user = membership.User!;
        return new MemberView(membership.Id, user.Id, user.DisplayName, user.Email, user.ExternalTenantId != null, membership.Roles, membership.IsDisabled, user.IsDisabled);
    }

    private async Task<Membership> AddMembershipAsync(AdminActor actor, Guid tenantId, User user, TenantRoles roles, CancellationToken cancellationToken)
    {
        if (await db.Memberships.AnyAsync(m => m.TenantId == tenantId && m.UserId == user.Id, cancellationToken))
        {
            throw new AdminException(AdminFailure.Invalid, $"{user.DisplayName} is already a member of this tenant.");
        }

        var membership = NewMembership(tenantId, user.Id, roles, time.GetUtcNow());
        db.Memberships.Add(membership);
        audit.Add(db, new AuditEntry("member.added", actor.UserId, $"membership:{membership.Id}",
            After: new { user.DisplayName, user.Email, user.ExternalTenantId, user.ExternalObjectId, membership.Roles }, TenantId: tenantId));
        await db.SaveChangesAsync(cancellationToken);
        return membership;
    }

    private static Membership NewMembership(Guid tenantId, Guid userId, TenantRoles roles, DateTimeOffset now) =>
        new() { TenantId = tenantId, UserId = userId, Roles = roles == TenantRoles.None ? TenantRoles.Member : roles, CreatedAt = now };

    /// <summary>Another tenant's id gets the same "not found" as an unknown one, and an audit entry.</summary>
    private async Task RequireAccessAsync(AdminActor actor, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.MayAdminister(tenantId))
        {
            return;
        }

        await audit.RecordAsync(db, new AuditEntry("member.access_refused", actor.UserId, $"tenant:{tenantId}", TenantId: actor.ActiveTenantId), CancellationToken.None);
        throw NotFound();
    }

    private static AdminException NotFound() => new(AdminFailure.NotFound, "That tenant or member does not exist.");
}

public sealed record MemberView(
    Guid MembershipId, Guid UserId, string DisplayName, string? Email, bool IsExternal, TenantRoles Roles, bool IsDisabled, bool UserIsDisabled);

/// <summary>The membership of a pre-registered directory user.</summary>
public sealed record InvitedMember(Guid MembershipId, Guid UserId);

/// <summary>The set-password link of a reset, shown once to the administrator who hands it over.</summary>
public sealed record IssuedPasswordReset(string Email, string Link, DateTimeOffset ExpiresAt);
