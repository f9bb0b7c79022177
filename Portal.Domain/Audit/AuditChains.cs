namespace Portal.Domain.Audit;

/// <summary>One chain per tenant, keyed by the tenant's id, and one for the platform.</summary>
public static class AuditChains
{
    /// <summary>The chain of entries that belong to no tenant.</summary>
    public static readonly Guid Platform = Guid.Empty;

    public static Guid For(Guid? tenantId) => tenantId ?? Platform;

    public static string Describe(Guid chainId) => chainId == Platform ? "platform" : $"tenant {chainId}";
}
