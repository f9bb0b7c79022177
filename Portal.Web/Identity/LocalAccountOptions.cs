using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Identity;

/// <summary>Local account rules (section <c>Portal:LocalAccounts</c>).</summary>
public sealed class LocalAccountOptions
{
    public const string SectionName = "Portal:LocalAccounts";

    /// <summary>Failed sign-ins of one address from one source per window; then that source waits (the account is never locked).</summary>
    [Range(1, 100, ErrorMessage = "Portal:LocalAccounts:MaxFailedAttempts must be between 1 and 100.")]
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>Failed sign-ins of one address from all sources together per window (slows distributed guessing).</summary>
    [Range(1, 10_000, ErrorMessage = "Portal:LocalAccounts:FailedAttemptsPerAddress must be between 1 and 10000.")]
    public int FailedAttemptsPerAddress { get; set; } = 50;

    /// <summary>Sign-in attempts of one source (any address) per window; generous, since an office behind one NAT address is one source.</summary>
    [Range(1, 10_000, ErrorMessage = "Portal:LocalAccounts:AttemptsPerSource must be between 1 and 10000.")]
    public int AttemptsPerSource { get; set; } = 100;

    [Range(1, 24 * 60, ErrorMessage = "Portal:LocalAccounts:ThrottleWindowMinutes must be between 1 and 1440.")]
    public int ThrottleWindowMinutes { get; set; } = 15;

    [Range(8, 128, ErrorMessage = "Portal:LocalAccounts:MinimumPasswordLength must be between 8 and 128.")]
    public int MinimumPasswordLength { get; set; } = 12;
}
