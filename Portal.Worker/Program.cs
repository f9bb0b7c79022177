using Microsoft.Extensions.Logging.Console;
using Portal.Inference;

namespace Portal.Worker;

/// <summary>
/// An inference node: the in-process llama.cpp engine, driven by a portal over its node hub.
///   Portal.Worker --portal https://portal.example --node-key KEY [--name NAME]
/// The portal starts its local workers itself (key in PORTAL_NODE_KEY, --parent-pid its own id);
/// Inference:* settings (Threads, Slots, ...) come from the usual configuration sources.
/// </summary>
public static class WorkerProgram
{
    public static async Task<int> Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.ClearProviders();

        // Everything, llama.cpp's own log included, goes to stderr: the portal keeps its last lines as the reason of a crash.
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddInference(o => o.FaultStepDelay = WorkerOptions.SlowDecode(Environment.GetEnvironmentVariable("PORTAL_WORKER_FAULT")));
        builder.Services.AddOptions<WorkerOptions>()
            .Bind(builder.Configuration)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ModelDownloader>();
        builder.Services.AddHostedService<NodeWorker>();
        await builder.Build().RunAsync();
        return Environment.ExitCode;
    }
}
