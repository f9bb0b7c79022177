using Microsoft.Extensions.Options;

namespace Portal.Web.Models;

/// <summary>Scans the models folder once after start (when <see cref="ModelStorageOptions.ScanOnStart"/>), without delaying the start.</summary>
internal sealed partial class ModelFolderStartupScan(
    ModelFolderScanner scanner,
    ModelFolder folder,
    IOptions<ModelStorageOptions> options,
    IServiceProvider services,
    ILogger<ModelFolderStartupScan> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        folder.EnsureExists();
        if (!options.Value.ScanOnStart)
        {
            return;
        }

        // The catalog's start-up may be writing and registering the test model into the same folder.
        // Whether it succeeds or fails (it reports its own failure), the folder is stable once it is done.
        if (services.GetServices<IHostedService>().OfType<ModelCatalogStartup>().FirstOrDefault() is { } catalogStartup)
        {
            await ((Task)catalogStartup.Ready).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var report = await scanner.ScanAsync(actorUserId: null, stoppingToken);
        LogScanned(folder.Path, report.Registered.Count, report.Refused.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Models folder {Folder} scanned: {Registered} registered, {Refused} refused")]
    private partial void LogScanned(string folder, int registered, int refused);
}
