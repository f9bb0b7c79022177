using Microsoft.Extensions.Options;

namespace Portal.Web.Accounting;

/// <summary>Releases reservations whose generation never settled (an instance crashed mid-answer), on every instance.</summary>
public sealed partial class QuotaExpirySweeper(QuotaLedger ledger, IOptions<QuotaOptions> options, TimeProvider time, ILogger<QuotaExpirySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.SweepIntervalSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var released = await ledger.ReleaseExpiredAsync(stoppingToken);
                if (released > 0)
                {
                    LogReleased(released);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Released {Count} quota reservations whose generation never settled")]
    private partial void LogReleased(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sweeping expired quota reservations failed; the next sweep tries again")]
    private partial void LogFailed(Exception exception);
}
