using System.Security.Claims;
using Portal.Web.Identity;

namespace Portal.Web.Chat;

/// <summary>Who asks, in which tenant: every chat operation is held to both.</summary>
public sealed record ChatCaller(Guid UserId, Guid TenantId)
{
    /// <summary>The caller of a portal principal with an active tenant, or null (no tenant: no chat).</summary>
    public static ChatCaller? From(ClaimsPrincipal? principal) =>
        PortalPrincipal.Read(principal) is { Tenant: { } tenant } session ? new ChatCaller(session.UserId, tenant.Id) : null;
}
