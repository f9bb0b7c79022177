using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Audit;
using Portal.Web.Chat;
using Portal.Web.Identity;

namespace Portal.Web.Admin;

/// <summary>
/// The members of one tenant: invite local accounts, pre-register people of an external directory,
/// change roles, disable. Tenant administrators reach only their active tenant; another tenant's id
/// answers "not found", exactly like an id that does not exist. Every change is audited.
/// </summary>
public sealed class MemberAdministration(
    PortalDbContext db,
    ITenantContext tenantContext,
    UserManager<LocalAccount> userManager,
    AuditLog audit,
    IAccessRevocation revocation,
    SessionInvalidation sessions,
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
    /// Adds a person with a local account and a generated one-time password, returned once and stored
    /// only as a hash. A person who already exists (same e-mail) just gets the membership.
    /// </summary>
    public async Task<InvitedMember> InviteLocalAsync(
        AdminActor actor, Guid tenantId, string email, string displayName, TenantRoles roles, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, cancellationToken);
        email = email?.Trim() ?? "";
        if (!email.Contains('@', StringComparison.Ordinal) || email.Length > 256)
        {
            throw new AdminException(AdminFailure.Invalid, "Give the person's e-mail address.");
        }

        using var platform = tenantContext.BeginPlatformScope();
        var existing = await db.PortalUsers.FirstOrDefaultAsync(u => u.Email == email && u.ExternalTenantId == null, cancellationToken);
        if (existing is not null)
        {
            var membership = await AddMembershipAsync(actor, tenantId, existing, roles, cancellationToken);
            return new InvitedMember(membership.Id, existing.Id, OneTimePassword: null);
        }

        var now = time.GetUtcNow();
        var user = new User { DisplayName = string.IsNullOrWhiteSpace(displayName) ? email : displayName.Trim(), Email = email, CreatedAt = now };
        db.PortalUsers.Add(user);
        var member = NewMembership(tenantId, user.Id, roles, now);
        db.Memberships.Add(member);
        audit.Add(db, new AuditEntry("member.invited", actor.UserId, $"membership:{member.Id}", After: new { user.Email, user.DisplayName, member.Roles, Kind = "local" }, TenantId: tenantId));

        // UserManager saves through the same context: person, membership, credential and audit in one save.
        var password = OneTimePassword();
        var created = await userManager.CreateAsync(new LocalAccount { Id = user.Id, UserName = email, Email = email }, password);
        if (!created.Succeeded)
        {
            db.ChangeTracker.Clear();
            throw new AdminException(AdminFailure.Invalid, string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        return new InvitedMember(member.Id, user.Id, password);
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
        return new InvitedMember(membership.Id, user.Id, OneTimePassword: null);
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

    /// <summary>20 characters from a generous alphabet, with every class Identity's password rules ask for.</summary>
    private static string OneTimePassword()
    {
        const string letters = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var body = RandomNumberGenerator.GetString(letters, 16);
        return $"{body}-{RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyz", 1)}{RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ", 1)}{RandomNumberGenerator.GetInt32(2, 10)}";
    }
}

public sealed record MemberView(
    Guid MembershipId, Guid UserId, string DisplayName, string? Email, bool IsExternal, TenantRoles Roles, bool IsDisabled, bool UserIsDisabled);

/// <summary>The new membership; <paramref name="OneTimePassword"/> is shown once and never stored in clear.</summary>
public sealed record InvitedMember(Guid MembershipId, Guid UserId, string? OneTimePassword);
