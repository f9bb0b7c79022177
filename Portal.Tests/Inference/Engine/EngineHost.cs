using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Inference;
using Portal.Inference.Engine;
using Portal.Tests.Inference.Native;

namespace Portal.Tests.Inference.Engine;

/// <summary>
/// An engine host of a test's own, NOT started: tests of start, stop and failing steps need one that
/// no other test shares. Disposing stops it.
/// </summary>
internal sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost host;
    private bool stopped;

    public EngineHost(Action<InferenceOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddInference(options =>
        {
            options.NativeLibraryPath = NativeTestLibrary.Folder;
            options.Threads = 1;
            options.ContextSize = 128;
            options.Slots = 2;
            options.BatchSize = 32;
            configure?.Invoke(options);
        });
        host = builder.Build();
    }

    public IInferenceEngine Engine => host.Services.GetRequiredService<IInferenceEngine>();

    public Task StartAsync() => host.StartAsync(CancellationToken.None);

    public async Task StopAsync()
    {
        stopped = true;
        await host.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopped)
        {
            await StopAsync();
        }

        host.Dispose();
    }
}
