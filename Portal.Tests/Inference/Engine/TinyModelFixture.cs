using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Inference;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;
using Portal.Tests.Inference.Native;

namespace Portal.Tests.Inference.Engine;

/// <summary>
/// A started engine on the CPU with the tiny random-weight llama loaded as <see cref="ModelId"/>
/// (4 slots) and <see cref="SingleSlotModelId"/> (1 slot), shared by the engine tests.
/// </summary>
public sealed class TinyModelFixture : IAsyncLifetime
{
    public const string ModelId = "tiny";
    public const string SingleSlotModelId = "tiny-1";
    public const int ContextSize = 256;

    private readonly DirectoryInfo directory = System.IO.Directory.CreateTempSubdirectory("portal-engine-");
    private IHost? host;

    public string ModelPath => Path.Combine(directory.FullName, "tiny.gguf");

    public string ModelWithoutTemplatePath => Path.Combine(directory.FullName, "tiny-no-template.gguf");

    public string Directory => directory.FullName;

    public IInferenceEngine Engine => host!.Services.GetRequiredService<IInferenceEngine>();

    public async ValueTask InitializeAsync()
    {
        TestModels.WriteTinyLlama(ModelPath, seed: 42, includeChatTemplate: true);
        TestModels.WriteTinyLlama(ModelWithoutTemplatePath, seed: 42, includeChatTemplate: false);
        var builder = Host.CreateApplicationBuilder();
        builder.AddInference(options =>
        {
            options.NativeLibraryPath = NativeTestLibrary.Folder;
            // One thread: on a shared, busy machine a second one mostly waits at ggml's barriers.
            options.Threads = 1;
            options.ContextSize = ContextSize;
            options.Slots = 4;
            options.BatchSize = 64;
        });
        host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        await Engine.LoadAsync(new ModelLoadRequest(ModelId, ModelPath), cancellationToken: TestContext.Current.CancellationToken);
        await Engine.LoadAsync(new ModelLoadRequest(SingleSlotModelId, ModelPath) { Slots = 1 }, cancellationToken: TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }

        directory.Delete(recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class TinyModelGroup : ICollectionFixture<TinyModelFixture>
{
    public const string Name = "Tiny llama engine";
}
