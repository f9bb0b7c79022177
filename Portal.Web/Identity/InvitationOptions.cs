using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Identity;

/// <summary>How long one-time links stay good (section <c>Portal:Invitations</c>).</summary>
public sealed class InvitationOptions
{
    public const string SectionName = "Portal:Invitations";

    /// <summary>An invitation's link, and the invitation itself, expire after this long.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00", ErrorMessage = "Portal:Invitations:LinkLifetime must be between 5 minutes and 30 days.")]
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(72);

    /// <summary>An administrator's password-reset link expires after this long.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00", ErrorMessage = "Portal:Invitations:ResetLinkLifetime must be between 5 minutes and 7 days.")]
    public TimeSpan ResetLinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The path of the page a link opens; the token follows as <c>?token=</c>.</summary>
    public const string SetupPath = "/account/setup";

    public static string LinkFor(string token) => $"{SetupPath}?token={Uri.EscapeDataString(token)}";
}
