using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Identity;

/// <summary>
/// The first platform administrator (section <c>Portal:Bootstrap</c>), created on the first start
/// of an empty database. Without <see cref="AdminPassword"/> a password is generated and printed once.
/// </summary>
public sealed class BootstrapAdminOptions
{
    public const string SectionName = "Portal:Bootstrap";

    [Required(ErrorMessage = "Portal:Bootstrap:AdminEmail must be set.")]
    [EmailAddress(ErrorMessage = "Portal:Bootstrap:AdminEmail must be an e-mail address.")]
    public string AdminEmail { get; set; } = "admin@portal.local";

    /// <summary>Optional; checked against the password rules when the administrator is created.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>The tenant created next to the administrator when the database has none.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Portal:Bootstrap:TenantName must be set.")]
    public string TenantName { get; set; } = "Default";
}
