using Portal.Data;

namespace Portal.Web.Identity;

/// <summary>Hands the signed-in person's active tenant to the data layer for the rest of the request.</summary>
internal sealed class ActiveTenantMiddleware(ITenantContext tenantContext) : IMiddleware
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (PortalPrincipal.Read(context.User)?.Tenant is { } tenant)
        {
            tenantContext.SetTenant(tenant.Id);
        }

        return next(context);
    }
}
