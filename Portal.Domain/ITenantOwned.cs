namespace Portal.Domain;

/// <summary>
/// An entity that belongs to exactly one tenant. The data layer filters every query of such an
/// entity to the caller's tenant and refuses to save one that belongs to another tenant.
/// </summary>
public interface ITenantOwned
{
    Guid TenantId { get; }
}
