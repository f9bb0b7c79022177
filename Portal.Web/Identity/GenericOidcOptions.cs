using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Identity;

/// <summary>
/// A generic OpenID Connect provider for sites without Entra ID (Keycloak, ADFS): section <c>Oidc</c>.
/// The issuer (or <see cref="TenantClaim"/> when set) plays the part of Entra's tenant id in the
/// tenant mappings; <c>sub</c> plays the part of the object id.
/// </summary>
public sealed class GenericOidcOptions
{
    public const string SectionName = "Oidc";

    [Required(ErrorMessage = "Oidc:Authority must be set (the provider's issuer URL).")]
    [Url(ErrorMessage = "Oidc:Authority must be an absolute URL.")]
    public string Authority { get; set; } = "";

    [Required(ErrorMessage = "Oidc:ClientId must be set.")]
    public string ClientId { get; set; } = "";

    public string? ClientSecret { get; set; }

    [Required(AllowEmptyStrings = false)]
    public string DisplayName { get; set; } = "Single sign-on";

    /// <summary>The claim that carries roles (Keycloak with a mapper: <c>roles</c>; ADFS: <c>role</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    public string RoleClaim { get; set; } = "roles";

    [Required(AllowEmptyStrings = false)]
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>A claim naming the person's organisation; when empty the issuer is used.</summary>
    public string? TenantClaim { get; set; }

    [Required(AllowEmptyStrings = false)]
    public string CallbackPath { get; set; } = "/signin-oidc-generic";

    public bool RequireHttpsMetadata { get; set; } = true;
}
