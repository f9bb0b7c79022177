using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Identity;

/// <summary>Session rules (section <c>Portal:Sessions</c>).</summary>
public sealed class PortalSessionOptions
{
    public const string SectionName = "Portal:Sessions";

    /// <summary>
    /// How long a sign-in lasts at most, however active the person is: then they sign in again (for external
    /// accounts that means at the provider, which checks whether the directory disabled them). Default 12 hours.
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00", ErrorMessage = "Portal:Sessions:AbsoluteLifetime must be between 00:05:00 and 30.00:00:00.")]
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);
}
