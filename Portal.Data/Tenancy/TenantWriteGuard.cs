using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Portal.Domain;

namespace Portal.Data;

/// <summary>
/// Refuses a save that adds, changes or deletes tenant-owned data outside the current tenant.
/// The query filter keeps other tenants' rows from being loaded; this catches the rest: entities
/// attached by hand, built with another tenant's id, or moved to another tenant.
/// </summary>
internal static class TenantWriteGuard
{
    public static void Check(ChangeTracker changeTracker, ITenantContext tenantContext)
    {
        foreach (var entry in changeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            var entityName = entry.Metadata.ClrType.Name;
            var tenantProperty = entry.Property(e => e.TenantId);
            if (entry.State == EntityState.Modified && tenantProperty.OriginalValue != tenantProperty.CurrentValue)
            {
                throw new TenantIsolationException(
                    $"A {entityName} cannot move from tenant {tenantProperty.OriginalValue} to tenant {tenantProperty.CurrentValue}.");
            }

            // An empty id is an entity someone forgot to give a tenant, in any scope.
            if (entry.State != EntityState.Deleted && entry.Entity.TenantId == Guid.Empty)
            {
                throw new TenantIsolationException($"Cannot save a {entityName} that belongs to no tenant (TenantId is empty).");
            }

            if (tenantContext.IsPlatformScope)
            {
                continue;
            }

            if (tenantContext.TenantId is not { } currentTenant)
            {
                throw new TenantIsolationException(
                    $"Cannot save a {entityName} ({entry.State}): no tenant is set for this request.");
            }

            if (entry.Entity.TenantId != currentTenant)
            {
                throw new TenantIsolationException(
                    $"Cannot save a {entityName} ({entry.State}) of tenant {entry.Entity.TenantId} while working in tenant {currentTenant}.");
            }
        }
    }
}
