using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Web.Identity;

namespace Portal.Web.Admin;

/// <summary>
/// A directory user a tenant admin pre-registered (by object id, or by e-mail when the object id is not
/// known yet) is claimed at their first sign-in from that same directory: scheme, issuer and object id
/// are recorded, and from then on only those identify them. An e-mail claims a pre-registration only when
/// the provider says it verified it; e-mail alone never matches across directories.
/// </summary>
internal static class ExternalPreRegistration
{
    public static async Task<User?> ClaimAsync(PortalDbContext db, ExternalIdentity identity, CancellationToken cancellationToken)
    {
        var waiting = db.PortalUsers.Where(u => u.ExternalTenantId == identity.TenantId && u.ExternalIssuer == null);
        var user = await waiting.FirstOrDefaultAsync(u => u.ExternalObjectId == identity.ObjectId, cancellationToken);
        if (user is null && identity.EmailVerified && !string.IsNullOrWhiteSpace(identity.Email))
        {
            var email = identity.Email.Trim().ToLowerInvariant();
            user = await waiting.FirstOrDefaultAsync(u => u.ExternalObjectId == null && u.Email == email, cancellationToken);
        }

        if (user is not null)
        {
            user.ExternalObjectId = identity.ObjectId;
            user.ExternalScheme = identity.Scheme;
            user.ExternalIssuer = identity.Issuer;
        }

        return user;
    }
}
