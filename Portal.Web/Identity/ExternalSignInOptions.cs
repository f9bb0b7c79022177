using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Identity;

/// <summary>
/// How external sign-ins become portal rights (section <c>Portal:ExternalSignIn</c>).
/// <para>
/// <c>RoleMap</c> maps an Entra app role (or generic provider role) to a TENANT role (Member, Manager,
/// TenantAdmin, Auditor), applied only within the portal tenants mapped to the person's directory.
/// With a multi-tenant app every customer directory assigns app roles itself, so no token role can make
/// anyone a platform administrator.
/// </para>
/// <para>
/// Which source wins, per role: platform administration is granted only inside the portal (by another
/// platform administrator), or for bootstrap by <c>PlatformAdmins</c> (directory id + object id), which
/// grants it at sign-in and never takes it away. Tenant roles follow the directory's token at each
/// sign-in until a portal administrator sets that member's roles in the portal; from then on the
/// portal's roles win for that membership and the token's roles are ignored.
/// </para>
/// </summary>
public sealed class ExternalSignInOptions : IValidatableObject
{
    public const string SectionName = "Portal:ExternalSignIn";

    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>External people made platform administrators at sign-in (bootstrap of an SSO-only site).</summary>
    public List<ExternalPlatformAdmin> PlatformAdmins { get; set; } = [];

    public bool IsConfiguredPlatformAdmin(ExternalIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return PlatformAdmins.Any(a =>
            string.Equals(a.DirectoryId, identity.TenantId, StringComparison.OrdinalIgnoreCase)
            && string.Equals(a.ObjectId, identity.ObjectId, StringComparison.Ordinal));
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (appRole, portalRole) in RoleMap)
        {
            if (portalRole == PortalRoles.PlatformAdmin)
            {
                yield return new ValidationResult(
                    $"Portal:ExternalSignIn:RoleMap:{appRole} is 'PlatformAdmin': platform administration never comes from a directory's role. "
                    + "Grant it in the portal, or list the person (directory id + object id) under Portal:ExternalSignIn:PlatformAdmins.",
                    [nameof(RoleMap)]);
            }
            else if (!PortalRoles.Tenant.Contains(portalRole, StringComparer.Ordinal))
            {
                yield return new ValidationResult(
                    $"Portal:ExternalSignIn:RoleMap:{appRole} is '{portalRole}', which is not a portal role; use one of {string.Join(", ", PortalRoles.Tenant)}.",
                    [nameof(RoleMap)]);
            }
        }

        for (var i = 0; i < PlatformAdmins.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(PlatformAdmins[i].DirectoryId) || string.IsNullOrWhiteSpace(PlatformAdmins[i].ObjectId))
            {
                yield return new ValidationResult(
                    $"Portal:ExternalSignIn:PlatformAdmins:{i} needs both DirectoryId (Entra tid, or the provider's directory key) and ObjectId (Entra oid, or sub).",
                    [nameof(PlatformAdmins)]);
            }
        }
    }
}

/// <summary>One configured platform administrator: directory id (Entra <c>tid</c>) and object id (<c>oid</c>).</summary>
public sealed class ExternalPlatformAdmin
{
    public string DirectoryId { get; set; } = "";

    public string ObjectId { get; set; } = "";
}
