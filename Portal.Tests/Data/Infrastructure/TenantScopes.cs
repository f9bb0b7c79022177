using Portal.Data;

namespace Portal.Tests.Data.Infrastructure;

public static class TenantScopes
{
    /// <summary>A tenant context already set to <paramref name="tenantId"/>, as the web layer leaves it per request.</summary>
    public static TenantContext For(Guid tenantId)
    {
        var context = new TenantContext();
        context.SetTenant(tenantId);
        return context;
    }
}
