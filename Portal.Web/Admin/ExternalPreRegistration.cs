using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Identity;

namespace Portal.Web.Admin;

/// <summary>
/// A directory user a tenant admin pre-registered by e-mail (no object id known yet) is claimed at
/// their first sign-in from that same directory: the object id is recorded, and from then on only the
/// object id identifies them. E-mail alone never matches across directories.
/// </summary>
internal static class ExternalPreRegistration
{
    public static async Task<User?> ClaimAsync(PortalDbContext db, ExternalIdentity identity, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(identity.Email))
        {
            return null;
        }

        var email = identity.Email.Trim().ToLowerInvariant();
        var user = await db.PortalUsers.SingleOrDefaultAsync(
            u => u.ExternalTenantId == identity.TenantId && u.ExternalObjectId == null && u.Email == email, cancellationToken);
        if (user is not null)
        {
            user.ExternalObjectId = identity.ObjectId;
        }

        return user;
    }
}
