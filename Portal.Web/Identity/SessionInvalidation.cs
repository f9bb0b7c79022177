using System.Collections.Concurrent;

namespace Portal.Web.Identity;

/// <summary>
/// Remembers when a person's or a tenant's access last changed (a member disabled, roles changed, a
/// tenant suspended), so that cookies issued before the change are re-checked against the database at
/// their next request rather than at the end of <see cref="PortalSessionRevalidation.Interval"/>.
/// Kept in memory: another web node notices the change at its next interval.
/// </summary>
public sealed class SessionInvalidation(TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> changedAt = new();

    /// <summary>Marks the access of a person (user id) or of everyone in a tenant (tenant id) as changed now.</summary>
    public void AccessChanged(Guid userOrTenantId) => changedAt[userOrTenantId] = time.GetUtcNow();

    /// <summary>
    /// Whether the access changed at or after <paramref name="issuedUtc"/>. A cookie's issue time is kept to
    /// the second, so a change within the same second also counts: one revalidation too many is harmless.
    /// </summary>
    public bool ChangedSince(Guid userOrTenantId, DateTimeOffset issuedUtc) =>
        changedAt.TryGetValue(userOrTenantId, out var changed) && changed >= issuedUtc.AddSeconds(-1);
}
