using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Models;

/// <summary>
/// How uploads are limited and the folder scanned (section <c>Portal:Models</c>, shared with
/// <see cref="ModelCatalogOptions"/>, which says where the folder is).
/// </summary>
public sealed class ModelStorageOptions
{
    public const string SectionName = "Portal:Models";

    /// <summary>The largest file an upload may declare or send.</summary>
    [Range(1L, long.MaxValue, ErrorMessage = "Portal:Models:MaxUploadBytes must be above zero.")]
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024 * 1024;

    /// <summary>
    /// Disk space an upload may never take, kept for the database, its logs and the audit trail: an upload
    /// whose size does not fit in the free space less this reserve is refused before it starts. Default 2 GiB.
    /// </summary>
    [Range(0L, long.MaxValue, ErrorMessage = "Portal:Models:FreeSpaceReserveBytes must not be negative.")]
    public long FreeSpaceReserveBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>An upload that received nothing for this long is abandoned and its file deleted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Portal:Models:AbandonUploadsAfter must be between one minute and 30 days.")]
    public TimeSpan AbandonUploadsAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often abandoned uploads are looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Portal:Models:SweepInterval must be between one second and one day.")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Registers valid GGUF files found in the folder when the portal starts.</summary>
    public bool ScanOnStart { get; set; } = true;
}
