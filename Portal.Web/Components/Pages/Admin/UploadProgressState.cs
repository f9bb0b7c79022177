using System.Globalization;

namespace Portal.Web.Components.Pages.Admin;

public enum UploadPhase
{
    Uploading,
    Validating,
    Completed,
    Failed,
}

/// <summary>What the upload progress bar shows: bytes, speed and, from both, the percentage and the time left.</summary>
public sealed record UploadProgressState(string FileName, long TotalBytes, long ReceivedBytes, double? BytesPerSecond, UploadPhase Phase, string? Message = null)
{
    public double Percent => TotalBytes <= 0 ? 0 : Math.Round(100.0 * ReceivedBytes / TotalBytes, 1);

    /// <summary>Null until a speed is known.</summary>
    public TimeSpan? TimeLeft => BytesPerSecond is > 0 and var speed
        ? TimeSpan.FromSeconds(Math.Ceiling((TotalBytes - ReceivedBytes) / speed))
        : null;

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F2} GB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:F0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    public static string Duration(TimeSpan time) => time.TotalHours >= 1
        ? $"{(int)time.TotalHours} h {time.Minutes} min"
        : time.TotalMinutes >= 1 ? $"{time.Minutes} min {time.Seconds} s" : $"{time.Seconds} s";
}
