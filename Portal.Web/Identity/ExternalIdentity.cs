namespace Portal.Web.Identity;

/// <summary>
/// A person as an external provider describes them: directory tenant (Entra <c>tid</c> or the
/// issuer), object id (Entra <c>oid</c> or <c>sub</c>), app roles and groups. E-mail is kept for
/// display only; it never identifies anyone.
/// </summary>
public sealed record ExternalIdentity(
    string Scheme,
    string TenantId,
    string ObjectId,
    string DisplayName,
    string? Email,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Groups);
