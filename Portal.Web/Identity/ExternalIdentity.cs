namespace Portal.Web.Identity;

/// <summary>
/// A person as an external provider describes them. They are identified by (<see cref="Scheme"/>,
/// <see cref="Issuer"/>, <see cref="ObjectId"/>): Entra's <c>oid</c> or the generic provider's <c>sub</c>,
/// only ever within the issuer that vouches for it. <see cref="TenantId"/> is the directory key the tenant
/// mappings use: Entra's <c>tid</c> (bound to the issuer by Identity.Web's issuer validation), or for the
/// generic provider its issuer, or "<c>{issuer}#{tenant claim}</c>" when a tenant claim is configured,
/// so that no provider can name another's directory. E-mail is kept for display; it claims a
/// pre-registration only when <see cref="EmailVerified"/>.
/// </summary>
public sealed record ExternalIdentity(
    string Scheme,
    string Issuer,
    string TenantId,
    string ObjectId,
    string DisplayName,
    string? Email,
    bool EmailVerified,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Groups);
