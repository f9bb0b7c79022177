using System.Security.Claims;
using Portal.Domain.Audit;
using Portal.Domain.Tenants;
using Portal.Web.Identity;

namespace Portal.Web.Audit;

/// <summary>
/// Which audit entries a person may read: platform administrators every chain, auditors and tenant
/// administrators their active tenant's only. Null from <see cref="From"/>: none at all.
/// </summary>
public sealed record AuditAccess(bool AllTenants, Guid? TenantId)
{
    /// <summary>The policy behind the Audit page, its export and its navigation link.</summary>
    public const string Policy = "AuditReader";

    public static AuditAccess? From(ClaimsPrincipal principal)
    {
        var session = PortalPrincipal.Read(principal);
        if (session is null)
        {
            return null;
        }

        if (session.IsPlatformAdmin)
        {
            return new AuditAccess(true, session.Tenant?.Id);
        }

        return session.Tenant is { } tenant && (tenant.Roles.HasFlag(TenantRoles.Auditor) || tenant.Roles.HasFlag(TenantRoles.TenantAdmin))
            ? new AuditAccess(false, tenant.Id)
            : null;
    }

    /// <summary>Whether the chain of <paramref name="chainId"/> (a tenant's id, or the platform's) may be read and verified.</summary>
    public bool MayRead(Guid chainId) => AllTenants || (chainId != AuditChains.Platform && chainId == TenantId);
}
