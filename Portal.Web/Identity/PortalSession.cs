using Portal.Domain.Tenants;

namespace Portal.Web.Identity;

/// <summary>
/// Who is signed in, in which tenant, with which rights: what the portal's cookie carries.
/// <see cref="PortalPrincipal"/> turns it into claims and back.
/// </summary>
public sealed record PortalSession(
    Guid UserId,
    string DisplayName,
    bool IsPlatformAdmin,
    ActiveTenant? Tenant,
    IReadOnlyList<TenantChoice> TenantChoices,
    string SignInMethod)
{
    public const string LocalSignIn = "local";

    /// <summary>The person's <see cref="User.CredentialsVersion"/> when the session began; a session with an older one ends.</summary>
    public int CredentialsVersion { get; init; }
}

/// <summary>The tenant the person works in now, and what the active rules grant them there.</summary>
public sealed record ActiveTenant(Guid Id, string Name, TenantRoles Roles);

/// <summary>A tenant the person may switch to.</summary>
public sealed record TenantChoice(Guid Id, string Name);
