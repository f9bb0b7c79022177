using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Policies;

namespace Portal.Web.Policies;

/// <summary>Reads the tenant's policy: its highest version. The data layer's filter holds it to the context's tenant.</summary>
public static class PolicyStore
{
    public static Task<TenantPolicy?> CurrentAsync(PortalDbContext db, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.TenantPolicies.AsNoTracking().OrderByDescending(p => p.Version).FirstOrDefaultAsync(cancellationToken);
    }
}
