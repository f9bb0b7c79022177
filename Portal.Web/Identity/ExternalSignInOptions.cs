using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Identity;

/// <summary>
/// How external app roles become portal roles (section <c>Portal:ExternalSignIn</c>):
/// <c>RoleMap</c> maps an Entra app role (or generic provider role) to one of
/// Member, Manager, TenantAdmin, Auditor or PlatformAdmin.
/// </summary>
public sealed class ExternalSignInOptions : IValidatableObject
{
    public const string SectionName = "Portal:ExternalSignIn";

    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (appRole, portalRole) in RoleMap)
        {
            if (!PortalRoles.All.Contains(portalRole, StringComparer.Ordinal))
            {
                yield return new ValidationResult(
                    $"Portal:ExternalSignIn:RoleMap:{appRole} is '{portalRole}', which is not a portal role; use one of {string.Join(", ", PortalRoles.All)}.",
                    [nameof(RoleMap)]);
            }
        }
    }
}
