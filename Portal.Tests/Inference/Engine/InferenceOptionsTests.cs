using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Portal.Inference;
using Portal.Inference.Engine;

namespace Portal.Tests.Inference.Engine;

public sealed class InferenceOptionsTests
{
    [Fact]
    public async Task Start_NativeFolderMissing_StopsWithTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddInference(o => o.NativeLibraryPath = "/nonexistent/llama");
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Inference:NativeLibraryPath '/nonexistent/llama' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ZeroSlots_StopsWithTheSetting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddInference(o => o.Slots = 0);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Slots", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Threads_NotSet_LeavesOneCoreForDotNet()
    {
        var options = new InferenceOptions();

        Assert.Null(options.Threads);
        Assert.Equal(Math.Max(1, Environment.ProcessorCount - 1), options.EffectiveThreads);
        Assert.Equal(3, new InferenceOptions { Threads = 3 }.EffectiveThreads);
    }
}
