using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Models;
using Portal.Inference.Engine;
using Portal.Tests.Web.Hosting;
using Portal.Web.Models;
using Portal.Web.Nodes;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// The real portal on loopback in its product mode: models run in supervised worker processes that
/// connect back over the node hub. The embedded default loads the tiny test model in a worker at start.
/// </summary>
public class WorkerPortal : IAsyncLifetime
{
    public WorkerPortal()
        : this(null, null)
    {
    }

    /// <param name="extra">Settings on top of the worker defaults.</param>
    /// <param name="dataDirectory">An existing data folder to start on again (the caller keeps it).</param>
    protected WorkerPortal(IReadOnlyDictionary<string, string?>? extra, string? dataDirectory) =>
        Factory = new(Settings(extra), dataDirectory: dataDirectory);

    public PortalAppFactory Factory { get; }

    public Uri BaseAddress { get; private set; } = default!;

    public ModelCatalog Catalog => Factory.Services.GetRequiredService<ModelCatalog>();

    public IInferenceEngine Engine => Factory.Services.GetRequiredService<IInferenceEngine>();

    public LocalWorkers Workers => Factory.Services.GetRequiredService<LocalWorkers>();

    public NodeRegistry Registry => Factory.Services.GetRequiredService<NodeRegistry>();

    public virtual async ValueTask InitializeAsync()
    {
        Factory.UseKestrel(0);
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        await Factory.Services.GetRequiredService<ModelCatalogStartup>().Ready.WaitAsync(TimeSpan.FromMinutes(3));

        // The start-up load fails quietly (the model is marked Failed); a test waiting for its worker would
        // only time out, so say why here.
        var testModel = await Factory.QueryAsync(db => db.ModelEntries.AsNoTracking().SingleAsync(m => m.FileName == ModelCatalogStartup.TestModelFileName));
        if (testModel.State != ModelState.Loaded)
        {
            throw new InvalidOperationException($"The test model did not load in a worker at start ({testModel.State}): {testModel.FailureReason}");
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private static Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Portal:Workers:Mode"] = "Processes",
            ["Portal:Models:ScanOnStart"] = "false",

            // One thread per worker: the test machine's cores are shared.
            ["Inference:Threads"] = "1",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
