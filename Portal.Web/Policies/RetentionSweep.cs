using Microsoft.Extensions.Options;

namespace Portal.Web.Policies;

/// <summary>Runs <see cref="RetentionJob"/> at start and then every <see cref="PolicyOptions.RetentionInterval"/>, on <see cref="TimeProvider"/>.</summary>
public sealed partial class RetentionSweep(RetentionJob job, IOptions<PolicyOptions> options, TimeProvider time, ILogger<RetentionSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionInterval, time);
        do
        {
            try
            {
                await job.RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The next run tries again; a database that is down must not stop the portal.
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The retention run failed; it runs again at the next interval")]
    private partial void LogFailed(Exception exception);
}
