using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Identity;

/// <summary>Local account rules (section <c>Portal:LocalAccounts</c>).</summary>
public sealed class LocalAccountOptions
{
    public const string SectionName = "Portal:LocalAccounts";

    /// <summary>Failed passwords in a row before the account is locked.</summary>
    [Range(1, 100, ErrorMessage = "Portal:LocalAccounts:MaxFailedAttempts must be between 1 and 100.")]
    public int MaxFailedAttempts { get; set; } = 5;

    [Range(1, 24 * 60, ErrorMessage = "Portal:LocalAccounts:LockoutMinutes must be between 1 and 1440.")]
    public int LockoutMinutes { get; set; } = 15;

    [Range(8, 128, ErrorMessage = "Portal:LocalAccounts:MinimumPasswordLength must be between 8 and 128.")]
    public int MinimumPasswordLength { get; set; } = 12;
}
