using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Api;
using Portal.Web.Admin;
using Portal.Web.Audit;

namespace Portal.Web.Api;

/// <summary>A key as the keys page lists it (never its secret).</summary>
public sealed record ApiKeyRow(
    Guid Id, string Name, string KeyId, string? Person, IReadOnlyList<string> Models, DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, string State);

/// <summary>What a tenant admin asks for: a name, optionally a person, an expiry and a list of models.</summary>
public sealed record ApiKeyDraft(string Name, Guid? UserId, DateTimeOffset? ExpiresAt, IReadOnlyList<Guid> ModelIds);

/// <summary>A key just created: <see cref="Secret"/> is shown this once and kept nowhere.</summary>
public sealed record CreatedApiKey(ApiKeyRow Key, string Secret);

/// <summary>
/// Tenant admins create, list and revoke their tenant's API keys; every query is held to the admin's
/// active tenant, so another tenant's key reads as "not found". Creation and revocation are audited.
/// </summary>
public sealed class ApiKeyAdministration(PortalDbContext db, ITenantContext tenantContext, AuditLog audit, TimeProvider time)
{
    public const int MaxNameLength = 100;

    public async Task<IReadOnlyList<ApiKeyRow>> ListAsync(AdminActor actor, CancellationToken cancellationToken = default)
    {
        RequireTenantAdmin(actor);
        var keys = await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken);
        var people = await PeopleAsync(keys.SelectMany(k => new[] { k.UserId ?? Guid.Empty, k.CreatedByUserId }), cancellationToken);
        var models = await db.ModelEntries.AsNoTracking().Select(m => new { m.Id, m.Name }).ToDictionaryAsync(m => m.Id, m => m.Name, cancellationToken);
        var now = time.GetUtcNow();
        return [.. keys.Select(k => Row(k, people, models, now))];
    }

    /// <summary>Active members of the tenant a key may be bound to.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> MembersAsync(AdminActor actor, CancellationToken cancellationToken = default)
    {
        RequireTenantAdmin(actor);
        var members = await db.Memberships.AsNoTracking().Include(m => m.User)
            .Where(m => !m.IsDisabled && !m.User!.IsDisabled)
            .Select(m => new { m.UserId, m.User!.DisplayName, m.User.Email })
            .ToListAsync(cancellationToken);
        return [.. members.OrderBy(m => m.DisplayName, StringComparer.OrdinalIgnoreCase).Select(m => (m.UserId, $"{m.DisplayName} ({m.Email})"))];
    }

    /// <summary>The models granted to the tenant (the choices for a key's model list).</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> ModelsAsync(AdminActor actor, CancellationToken cancellationToken = default)
    {
        RequireTenantAdmin(actor);
        var models = await db.ModelGrants.Join(db.ModelEntries, g => g.ModelEntryId, m => m.Id, (_, m) => new { m.Id, m.Name }).ToListAsync(cancellationToken);
        return [.. models.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).Select(m => (m.Id, m.Name))];
    }

    public async Task<CreatedApiKey> CreateAsync(AdminActor actor, ApiKeyDraft draft, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var tenantId = RequireTenantAdmin(actor);
        var name = (draft.Name ?? "").Trim();
        var now = time.GetUtcNow();
        if (name.Length is 0 or > MaxNameLength)
        {
            throw new AdminException(AdminFailure.Invalid, $"Give the key a name of 1 to {MaxNameLength} characters.");
        }

        if (draft.ExpiresAt is { } expires && expires <= now)
        {
            throw new AdminException(AdminFailure.Invalid, "The expiry must be in the future.");
        }

        if (draft.UserId is { } userId && !await db.Memberships.AnyAsync(m => m.UserId == userId && !m.IsDisabled, cancellationToken))
        {
            throw new AdminException(AdminFailure.Invalid, "A key can only be bound to an active member of this tenant.");
        }

        var granted = await db.ModelGrants.Select(g => g.ModelEntryId).ToListAsync(cancellationToken);
        if (draft.ModelIds.Any(id => !granted.Contains(id)))
        {
            throw new AdminException(AdminFailure.Invalid, "A key can only be limited to models granted to this tenant.");
        }

        var secret = ApiKeySecrets.Create(out var keyId, out var hash);
        var key = new ApiKey
        {
            TenantId = tenantId,
            Name = name,
            KeyId = keyId,
            SecretHash = hash,
            UserId = draft.UserId,
            ExpiresAt = draft.ExpiresAt,
            AllowedModelIds = [.. draft.ModelIds.Distinct()],
            CreatedByUserId = actor.UserId,
            CreatedAt = now,
        };
        db.ApiKeys.Add(key);
        audit.Add(db, new AuditEntry("api-key.created", actor.UserId, $"api-key:{key.Id}",
            After: new { key.Name, key.KeyId, key.UserId, key.ExpiresAt, Models = key.AllowedModelIds }, TenantId: tenantId));
        await db.SaveChangesAsync(cancellationToken);
        var rows = await ListAsync(actor, cancellationToken);
        return new CreatedApiKey(rows.Single(r => r.Id == key.Id), secret);
    }

    /// <summary>Revokes a key of the admin's tenant; refused from the next request on. Another tenant's key is "not found".</summary>
    public async Task RevokeAsync(AdminActor actor, Guid keyId, CancellationToken cancellationToken = default)
    {
        RequireTenantAdmin(actor);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken)
            ?? throw new AdminException(AdminFailure.NotFound, "API key not found.");
        if (key.RevokedAt is not null)
        {
            return;
        }

        key.RevokedAt = time.GetUtcNow();
        key.RevokedByUserId = actor.UserId;
        audit.Add(db, new AuditEntry("api-key.revoked", actor.UserId, $"api-key:{key.Id}", Before: new { key.Name, key.KeyId }, TenantId: key.TenantId));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static ApiKeyRow Row(ApiKey key, IReadOnlyDictionary<Guid, string> people, IReadOnlyDictionary<Guid, string> models, DateTimeOffset now) => new(
        key.Id,
        key.Name,
        key.KeyId,
        key.UserId is { } user ? people.GetValueOrDefault(user, "(unknown)") : null,
        [.. key.AllowedModelIds.Select(id => models.GetValueOrDefault(id, "(removed model)"))],
        key.ExpiresAt,
        key.LastUsedAt,
        key.CreatedAt,
        people.GetValueOrDefault(key.CreatedByUserId, "(unknown)"),
        key.RevokedAt,
        key.RevokedAt is not null ? "Revoked" : key.ExpiresAt <= now ? "Expired" : "Active");

    private async Task<IReadOnlyDictionary<Guid, string>> PeopleAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Where(id => id != Guid.Empty).Distinct().ToList();
        var people = await db.PortalUsers.AsNoTracking().Where(u => wanted.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(cancellationToken);
        return people.ToDictionary(p => p.Id, p => p.DisplayName);
    }

    private Guid RequireTenantAdmin(AdminActor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.ActiveTenantId is not { } tenantId || !actor.MayAdminister(tenantId))
        {
            throw new AdminException(AdminFailure.Forbidden, "Only the tenant's administrators may manage its API keys.");
        }

        tenantContext.SetTenant(tenantId);
        return tenantId;
    }
}
