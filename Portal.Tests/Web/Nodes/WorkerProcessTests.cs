using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Models;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;
using Portal.Web.Models;

namespace Portal.Tests.Web.Nodes;

/// <summary>
/// The product mode: the portal starts a worker process per loaded model, routes generations to it over
/// the node hub, and survives a model file that makes llama.cpp abort.
/// </summary>
public sealed class WorkerProcessTests(WorkerPortal portal) : IClassFixture<WorkerPortal>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EmbeddedDefault_TestModelRunsInAWorkerProcess_AndAnswers()
    {
        var entry = await TestModelAsync(portal);
        var engineId = ModelCatalog.EngineId(entry.Id);

        var (text, result) = await GenerateAsync(portal.Engine, engineId, "Hello there", maxTokens: 8);
        var tokens = await portal.Engine.CountPromptTokensAsync(engineId, [new ChatMessage("user", "Hello there")], Cancel);

        Assert.Equal(ModelState.Loaded, entry.State);
        var worker = Assert.Single(portal.Workers.Processes, p => p.ModelId == engineId);
        Assert.NotEqual(Environment.ProcessId, worker.ProcessId);
        Assert.False(Process.GetProcessById(worker.ProcessId).HasExited);
        Assert.Equal(FinishReason.Length, result.FinishReason);
        Assert.Equal(8, result.CompletionTokens);
        Assert.Equal(text, result.Text);
        Assert.True(result.PromptTokens > 0);
        Assert.True(tokens > 0);
    }

    [Fact]
    public async Task Cancel_EndsTheGenerationAsCancelled_AndTheWorkerAnswersOthers()
    {
        var engineId = ModelCatalog.EngineId((await TestModelAsync(portal)).Id);
        var running = portal.Engine.GenerateAsync(new GenerationRequest { ModelId = engineId, Prompt = "Count on", MaxTokens = 1500, Sampling = SamplingSettings.Greedy }, Cancel);
        await using (var tokens = running.GetAsyncEnumerator(Cancel))
        {
            Assert.True(await tokens.MoveNextAsync());
            running.Cancel();
        }

        var result = await running.Completion.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        var (_, next) = await GenerateAsync(portal.Engine, engineId, "Again", maxTokens: 4);

        Assert.Equal(FinishReason.Cancelled, result.FinishReason);
        Assert.True(result.CompletionTokens < 1500);
        Assert.Equal(FinishReason.Length, next.FinishReason);
    }

    [Fact]
    public async Task ModelThatAbortsLlamaCpp_AtItsFirstDecode_IsMarkedFailedWithTheSignal_PortalAndOtherModelsGoOn()
    {
        var path = Path.Combine(portal.Catalog.ModelsFolder, $"f16-norms-{Guid.NewGuid():N}.gguf");
        MalformedTestModels.Write(path, "f16-norms");
        var entry = await portal.Catalog.RegisterFileAsync(path, isTestModel: true, Cancel); // the validator accepts it

        var refused = await Assert.ThrowsAsync<ModelCatalogException>(() => portal.Catalog.LoadAsync(entry.Id, null, Cancel));

        Assert.Contains("signal 6 (SIGABRT) while decoding the probe's first tokens", refused.Message, StringComparison.Ordinal);
        Assert.Contains("unsupported types", refused.Message, StringComparison.Ordinal); // llama.cpp's own last words
        var stored = await portal.Factory.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == entry.Id, Cancel));
        Assert.Equal((ModelState.Failed, refused.Message), (stored.State, stored.FailureReason));
        Assert.False(portal.Catalog.IsLoaded(entry.Id));
        Assert.DoesNotContain(portal.Workers.Processes, p => p.ModelId == ModelCatalog.EngineId(entry.Id));

        var (_, other) = await GenerateAsync(portal.Engine, ModelCatalog.EngineId((await TestModelAsync(portal)).Id), "Still there?", maxTokens: 4);
        Assert.Equal(FinishReason.Length, other.FinishReason);
    }

    [Fact]
    public async Task ModelThatAbortsLlamaCpp_WhileLoading_IsMarkedFailedWithTheSignal_AndTheTestModelStillAnswers()
    {
        var path = Path.Combine(portal.Catalog.ModelsFolder, $"bert-vocab-{Guid.NewGuid():N}.gguf");
        MalformedTestModels.Write(path, "bert-vocabulary-of-sentencepiece-tokens");
        var entry = await portal.Catalog.RegisterFileAsync(path, isTestModel: true, Cancel);

        var refused = await Assert.ThrowsAsync<ModelCatalogException>(() => portal.Catalog.LoadAsync(entry.Id, null, Cancel));

        Assert.Contains("crashed its worker while loading", refused.Message, StringComparison.Ordinal);
        Assert.Contains("signal 6 (SIGABRT) while loading the model file", refused.Message, StringComparison.Ordinal);
        Assert.Contains("llama-vocab.cpp", refused.Message, StringComparison.Ordinal);
        var stored = await portal.Factory.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == entry.Id, Cancel));
        Assert.Equal(ModelState.Failed, stored.State);
        var (_, other) = await GenerateAsync(portal.Engine, ModelCatalog.EngineId((await TestModelAsync(portal)).Id), "Still there?", maxTokens: 4);
        Assert.Equal(FinishReason.Length, other.FinishReason);
    }

    [Fact]
    public async Task ModelThatAbortsLlamaCpp_WhileCreatingTheContext_IsMarkedFailedWithTheStage_AndTheTestModelStillAnswers()
    {
        var refused = await LoadCrashingModelAsync("kv-heads-differ-per-layer");

        Assert.Contains("crashed its worker while loading", refused.Message, StringComparison.Ordinal);
        Assert.Contains("signal 6 (SIGABRT) while creating the context", refused.Message, StringComparison.Ordinal);
        Assert.Contains("GGML_ASSERT(a->ne[0] == b->ne[0]) failed", refused.Message, StringComparison.Ordinal); // llama.cpp's own words
    }

    [Fact]
    public async Task ModelThatAbortsLlamaCpp_WhileTokenizing_IsMarkedFailedWithTheStage_AndTheTestModelStillAnswers()
    {
        var refused = await LoadCrashingModelAsync("sentencepiece-without-byte-tokens");

        Assert.Contains("crashed its worker while loading", refused.Message, StringComparison.Ordinal);
        Assert.Contains("signal 6 (SIGABRT) while applying the chat template and tokenizing the probe text", refused.Message, StringComparison.Ordinal);
        Assert.Contains("std::out_of_range", refused.Message, StringComparison.Ordinal); // the uncaught exception out of llama_tokenize
    }

    /// <summary>
    /// Registers <paramref name="defect"/> (the validator accepts it), loads it and returns the refusal; checks
    /// that the entry is Failed in the database with that reason, no worker is left for it, and the test model answers.
    /// </summary>
    private async Task<ModelCatalogException> LoadCrashingModelAsync(string defect)
    {
        var path = Path.Combine(portal.Catalog.ModelsFolder, $"{defect}-{Guid.NewGuid():N}.gguf");
        MalformedTestModels.Write(path, defect);
        var entry = await portal.Catalog.RegisterFileAsync(path, isTestModel: true, Cancel);

        var refused = await Assert.ThrowsAsync<ModelCatalogException>(() => portal.Catalog.LoadAsync(entry.Id, null, Cancel));

        var stored = await portal.Factory.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == entry.Id, Cancel));
        Assert.Equal((ModelState.Failed, refused.Message), (stored.State, stored.FailureReason));
        Assert.False(portal.Catalog.IsLoaded(entry.Id));
        Assert.DoesNotContain(portal.Workers.Processes, p => p.ModelId == ModelCatalog.EngineId(entry.Id));
        var (_, other) = await GenerateAsync(portal.Engine, ModelCatalog.EngineId((await TestModelAsync(portal)).Id), "Still there?", maxTokens: 4);
        Assert.Equal(FinishReason.Length, other.FinishReason);
        return refused;
    }

    internal static Task<ModelEntry> TestModelAsync(WorkerPortal portal) =>
        portal.Factory.QueryAsync(db => db.ModelEntries.AsNoTracking().SingleAsync(m => m.FileName == ModelCatalogStartup.TestModelFileName, Cancel));

    internal static async Task<(string Text, GenerationResult Result)> GenerateAsync(IInferenceEngine engine, string modelId, string prompt, int maxTokens)
    {
        var generation = engine.GenerateAsync(new GenerationRequest { ModelId = modelId, Prompt = prompt, MaxTokens = maxTokens, Sampling = SamplingSettings.Greedy }, Cancel);
        var text = new System.Text.StringBuilder();
        try
        {
            await foreach (var chunk in generation.WithCancellation(Cancel))
            {
                text.Append(chunk.Text);
            }
        }
        catch (InferenceException)
        {
            // Completion carries the error.
        }

        return (text.ToString(), await generation.Completion.WaitAsync(TimeSpan.FromMinutes(2), Cancel));
    }
}
