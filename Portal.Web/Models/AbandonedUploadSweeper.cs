using Microsoft.Extensions.Options;

namespace Portal.Web.Models;

/// <summary>Removes abandoned uploads and their partial files every <see cref="ModelStorageOptions.SweepInterval"/>.</summary>
internal sealed partial class AbandonedUploadSweeper(
    ModelUploads uploads,
    IOptions<ModelStorageOptions> options,
    TimeProvider time,
    ILogger<AbandonedUploadSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var removed = await uploads.SweepAsync(stoppingToken);
                if (removed > 0)
                {
                    LogSwept(removed);
                }
            }
            catch (IOException e)
            {
                // A file held open by something else: the next sweep tries again.
                LogSweepFailed(e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} abandoned upload files")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping abandoned uploads failed; retrying at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
