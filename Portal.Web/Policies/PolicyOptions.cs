using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Policies;

/// <summary>"Portal:Policies": how often retention runs.</summary>
public sealed class PolicyOptions
{
    public const string SectionName = "Portal:Policies";

    /// <summary>Time between retention runs (default one hour).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Whether the retention sweep runs in this process (one node of several may run it alone).</summary>
    public bool RunRetention { get; set; } = true;
}
