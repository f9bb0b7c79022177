using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Data;
using Portal.Inference.Engine;
using Portal.Web.Audit;
using Portal.Web.Nodes;

namespace Portal.Bench.Workers;

/// <summary>
/// The portal's node pieces on a loopback Kestrel port: the real node hub, its key scheme, NodeRegistry,
/// LocalWorkers and NodeEngine, wired by the product's own <c>AddInferenceNodes</c>/<c>MapInferenceNodes</c>,
/// with Portal:Workers:Mode = Processes. The rest of the portal (pages, chat pipeline) is left out: it runs
/// once per websocket, not per token, and the in-process side is measured at the same engine boundary.
/// The data folder holds the SQLite file node keys would use; local worker keys never reach it.
/// </summary>
internal sealed class NodeHost(WebApplication app) : IAsyncDisposable
{
    public IInferenceEngine Engine => app.Services.GetRequiredService<IInferenceEngine>();

    /// <summary>The worker processes running now (one for the bench model).</summary>
    public IEnumerable<int> WorkerProcessIds => app.Services.GetRequiredService<LocalWorkers>().Processes.Select(p => p.ProcessId);

    public static async Task<NodeHost> StartAsync(IReadOnlyDictionary<string, string?> inference, string dataFolder, string workerCommand)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(inference)
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Portal:DataDirectory"] = dataFolder,
            ["Portal:Workers:Mode"] = nameof(InferenceMode.Processes),
            ["Portal:Workers:WorkerCommand"] = workerCommand,
        });
        builder.AddPortalData();
        builder.AddPortalAudit();
        builder.AddInferenceNodes();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapInferenceNodes();
        await app.StartAsync();
        return new NodeHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
