using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Portal.Domain.Tenants;

namespace Portal.Web.Identity;

/// <summary>Writes a <see cref="PortalSession"/> as cookie claims and reads it back.</summary>
public static class PortalPrincipal
{
    public static ClaimsPrincipal Create(PortalSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var identity = new ClaimsIdentity(CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(PortalClaimTypes.UserId, session.UserId.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, session.UserId.ToString()));
        identity.AddClaim(new Claim(ClaimTypes.Name, session.DisplayName));
        identity.AddClaim(new Claim(PortalClaimTypes.SignInMethod, session.SignInMethod));
        identity.AddClaim(new Claim(PortalClaimTypes.CredentialsVersion, session.CredentialsVersion.ToString(CultureInfo.InvariantCulture)));

        if (session.IsPlatformAdmin)
        {
            identity.AddClaim(new Claim(ClaimTypes.Role, PortalRoles.PlatformAdmin));
        }

        if (session.Tenant is { } tenant)
        {
            identity.AddClaim(new Claim(PortalClaimTypes.TenantId, tenant.Id.ToString()));
            identity.AddClaim(new Claim(PortalClaimTypes.TenantName, tenant.Name));
            foreach (var role in Enum.GetValues<TenantRoles>().Where(r => r != TenantRoles.None && tenant.Roles.HasFlag(r)))
            {
                identity.AddClaim(new Claim(ClaimTypes.Role, role.ToString()));
            }
        }

        foreach (var choice in session.TenantChoices)
        {
            identity.AddClaim(new Claim(PortalClaimTypes.TenantChoice, $"{choice.Id}|{choice.Name}"));
        }

        return new ClaimsPrincipal(identity);
    }

    /// <summary>The session in a principal the portal issued, or null for anyone else (anonymous included).</summary>
    public static PortalSession? Read(ClaimsPrincipal? principal)
    {
        if (principal?.FindFirst(PortalClaimTypes.UserId)?.Value is not { } userIdText || !Guid.TryParse(userIdText, out var userId))
        {
            return null;
        }

        ActiveTenant? tenant = null;
        if (Guid.TryParse(principal.FindFirst(PortalClaimTypes.TenantId)?.Value, out var tenantId))
        {
            var roles = principal.FindAll(ClaimTypes.Role)
                .Select(c => Enum.TryParse<TenantRoles>(c.Value, out var role) ? role : TenantRoles.None)
                .Aggregate(TenantRoles.None, (all, role) => all | role);
            tenant = new ActiveTenant(tenantId, principal.FindFirst(PortalClaimTypes.TenantName)?.Value ?? "", roles);
        }

        var choices = principal.FindAll(PortalClaimTypes.TenantChoice)
            .Select(c => c.Value.Split('|', 2))
            .Where(parts => parts.Length == 2 && Guid.TryParse(parts[0], CultureInfo.InvariantCulture, out _))
            .Select(parts => new TenantChoice(Guid.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]))
            .ToList();

        return new PortalSession(
            userId,
            principal.FindFirst(ClaimTypes.Name)?.Value ?? "",
            principal.IsInRole(PortalRoles.PlatformAdmin),
            tenant,
            choices,
            principal.FindFirst(PortalClaimTypes.SignInMethod)?.Value ?? PortalSession.LocalSignIn)
        {
            CredentialsVersion = int.TryParse(principal.FindFirst(PortalClaimTypes.CredentialsVersion)?.Value, CultureInfo.InvariantCulture, out var version) ? version : 0,
        };
    }
}
