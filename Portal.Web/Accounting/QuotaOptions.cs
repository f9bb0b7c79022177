using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Accounting;

/// <summary>Settings "Portal:Quotas".</summary>
public sealed class QuotaOptions
{
    public const string SectionName = "Portal:Quotas";

    /// <summary>
    /// How long a reservation may outlive its start before it is released as abandoned (its instance
    /// crashed). Longer than the longest generation, so a running one is never released.
    /// </summary>
    [Range(1, 24 * 60)]
    public int HoldLifetimeMinutes { get; set; } = 30;

    /// <summary>How often expired reservations and finished windows are swept.</summary>
    [Range(1, 3600)]
    public int SweepIntervalSeconds { get; set; } = 60;
}
