using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Inference;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;
using Portal.Tests.Inference.Native;

namespace Portal.Tests.Inference.Engine;

/// <summary>
/// The engine with every layer on a CUDA GPU. Runs where ggml finds a GPU in the library folder
/// (PORTAL_LLAMA_FOLDER pointing at CUDA-enabled libraries); skipped with the reason elsewhere.
/// </summary>
public sealed class CudaTests
{
    [Fact]
    public async Task Cuda_TinyModel_GreedyDeterministicAndBatchedEqualsAlone()
    {
        var devices = NativeTestLibrary.Initialize();
        Assert.SkipUnless(
            devices.Any(d => d.IsGpu),
            $"No GPU device in {NativeTestLibrary.Folder} ({string.Join(", ", devices.Select(d => d.Name))}): " +
            "set PORTAL_LLAMA_FOLDER to CUDA-enabled llama.cpp libraries (`npm run cuda` gives native/llama-cuda) on a machine with an NVIDIA GPU.");

        var directory = Directory.CreateTempSubdirectory("portal-cuda-");
        try
        {
            var model = Path.Combine(directory.FullName, "tiny.gguf");
            TestModels.WriteTinyLlama(model);
            var builder = Host.CreateApplicationBuilder();
            builder.AddInference(o =>
            {
                o.NativeLibraryPath = NativeTestLibrary.Folder;
                o.Backend = InferenceBackend.Cuda;
                o.GpuLayers = -1;
                o.ContextSize = 256;
                o.Slots = 4;
            });
            using var host = builder.Build();
            await host.StartAsync(TestContext.Current.CancellationToken);
            var engine = host.Services.GetRequiredService<IInferenceEngine>();
            var info = await engine.LoadAsync(new ModelLoadRequest("tiny", model), cancellationToken: TestContext.Current.CancellationToken);

            GenerationRequest Greedy(string prompt) => new() { ModelId = "tiny", Prompt = prompt, MaxTokens = 24, Sampling = SamplingSettings.Greedy };
            string[] prompts = ["The quick brown fox", "abc", "0123456789", "Hello there"];
            var alone = new List<GenerationResult>();
            foreach (var prompt in prompts)
            {
                alone.Add(await engine.GenerateAsync(Greedy(prompt), TestContext.Current.CancellationToken).Completion);
            }

            var together = await Task.WhenAll(prompts.Select(p => engine.GenerateAsync(Greedy(p), TestContext.Current.CancellationToken).Completion));
            var again = await engine.GenerateAsync(Greedy(prompts[0]), TestContext.Current.CancellationToken).Completion;

            Assert.Equal(-1, info.GpuLayers);
            Assert.All(alone, r => Assert.NotEqual(FinishReason.Error, r.FinishReason));
            Assert.Equal(alone.Select(r => r.Text), together.Select(r => r.Text));
            Assert.Equal(alone[0].Text, again.Text);
            await host.StopAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
