using System.Globalization;
using System.Security.Claims;

namespace Portal.Web.Identity;

/// <summary>
/// When a session began, as a claim in the portal's cookie: it survives the cookie's reissues and tenant
/// switches, so activity slides the cookie but never past <see cref="PortalSessionOptions.AbsoluteLifetime"/>.
/// </summary>
public static class SessionLifetime
{
    public const string ClaimType = "portal/signed_in_at";

    public static void Stamp(ClaimsPrincipal principal, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity is ClaimsIdentity identity && identity.FindFirst(ClaimType) is null)
        {
            identity.AddClaim(new Claim(ClaimType, startedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }
    }

    public static DateTimeOffset? StartedAt(ClaimsPrincipal? principal) =>
        long.TryParse(principal?.FindFirst(ClaimType)?.Value, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
