using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Nodes;
using Portal.Web.Audit;

namespace Portal.Web.Nodes;

/// <summary>Who a node key belongs to: a platform admin's key (stored hashed) or a local worker's per-process key (in memory only).</summary>
public sealed record NodeIdentity(Guid? KeyId, string? LocalWorkerId, string Name);

/// <summary>
/// Node keys: platform admins create them (shown once, stored as SHA-256, revocable); the portal issues
/// a key of its own to every local worker process it starts, kept in memory and forgotten when the process ends.
/// </summary>
public sealed class NodeKeys(IServiceScopeFactory scopes, NodeRegistry registry, AuditLog audit, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, string> localKeys = new(StringComparer.Ordinal);

    /// <summary>A fresh key for the local worker <paramref name="workerId"/>.</summary>
    public string IssueLocal(string workerId)
    {
        var key = "pnl_" + NewSecret();
        localKeys[Hash(key)] = workerId;
        return key;
    }

    public void ForgetLocal(string key) => localKeys.TryRemove(Hash(key), out _);

    /// <summary>Creates a key; the returned text is the only time anyone sees it.</summary>
    public async Task<(NodeKey Entry, string Key)> CreateAsync(string name, Guid? createdBy, CancellationToken cancellationToken = default)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            throw new Admin.AdminException(Admin.AdminFailure.Invalid, "Give the node key a name of 1 to 100 characters.");
        }

        var key = "pnk_" + NewSecret();
        var entry = new NodeKey { Name = name, KeyHash = Hash(key), Prefix = key[..10], CreatedAt = time.GetUtcNow(), CreatedByUserId = createdBy };
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.NodeKeys.Add(entry);
        audit.Add(db, new AuditEntry("node_key.created", createdBy, $"node_key:{entry.Id}", After: new { entry.Name, entry.Prefix }));
        await db.SaveChangesAsync(cancellationToken);
        return (entry, key);
    }

    /// <summary>Revokes the key and closes the connections made with it.</summary>
    public async Task<bool> RevokeAsync(Guid keyId, Guid? revokedBy, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var entry = await db.NodeKeys.FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (entry is null || entry.RevokedAt is not null)
        {
            return false;
        }

        entry.RevokedAt = time.GetUtcNow();
        audit.Add(db, new AuditEntry("node_key.revoked", revokedBy, $"node_key:{entry.Id}", Before: new { entry.Name, entry.Prefix }));
        await db.SaveChangesAsync(cancellationToken);
        registry.EvictByKey(keyId, "Its node key was revoked.");
        return true;
    }

    public async Task<List<NodeKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PortalDbContext>().NodeKeys.AsNoTracking()
            .OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>The key's owner, or null for a wrong or revoked key.</summary>
    public async Task<NodeIdentity?> AuthenticateAsync(string key, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 200)
        {
            return null;
        }

        var hash = Hash(key);
        if (localKeys.TryGetValue(hash, out var workerId))
        {
            return new NodeIdentity(null, workerId, workerId);
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var entry = await db.NodeKeys.FirstOrDefaultAsync(k => k.KeyHash == hash && k.RevokedAt == null, cancellationToken);
        if (entry is null)
        {
            return null;
        }

        entry.LastSeenAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return new NodeIdentity(entry.Id, null, entry.Name);
    }

    private static string NewSecret() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
