using Microsoft.EntityFrameworkCore;
using Portal.Domain.Models;
using Portal.Inference.Engine;
using Portal.Inference.Gguf;
using Portal.Tests.Web.Hosting;
using Portal.Web.Models;

namespace Portal.Tests.Web.Nodes;

/// <summary>A model that crashed its worker stays failed across a restart of the portal: no crash loop.</summary>
public sealed class WorkerRestartTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PortalRestart_AfterAModelCrashedItsWorker_StartsAndDoesNotLoadItAgain()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        try
        {
            // One file per stage at which llama.cpp aborts: load, context, tokenizer, first decode.
            var crashing = new List<Guid>();
            await using (var first = new RestartablePortal(dataDirectory))
            {
                await first.InitializeAsync();
                foreach (var defect in MalformedTestModels.Defects.Keys)
                {
                    var path = Path.Combine(first.Catalog.ModelsFolder, $"aborts-{defect}.gguf");
                    MalformedTestModels.Write(path, defect);
                    var id = (await first.Catalog.RegisterFileAsync(path, isTestModel: true, Cancel)).Id;
                    await Assert.ThrowsAsync<ModelCatalogException>(() => first.Catalog.LoadAsync(id, null, Cancel));
                    crashing.Add(id);
                }
            }

            await using var second = new RestartablePortal(dataDirectory);
            await second.InitializeAsync();

            var stored = await second.Factory.QueryAsync(db => db.ModelEntries.Where(m => crashing.Contains(m.Id)).ToListAsync(Cancel));
            Assert.Equal(4, stored.Count);
            Assert.All(stored, m => Assert.Equal(ModelState.Failed, m.State));
            Assert.All(stored, m => Assert.Contains("SIGABRT", m.FailureReason, StringComparison.Ordinal));
            Assert.DoesNotContain(second.Workers.Processes, p => crashing.Select(ModelCatalog.EngineId).Contains(p.ModelId));
            var testModel = await WorkerProcessTests.TestModelAsync(second);
            var (_, answer) = await WorkerProcessTests.GenerateAsync(second.Engine, ModelCatalog.EngineId(testModel.Id), "After the restart", maxTokens: 4);
            Assert.Equal(FinishReason.Length, answer.FinishReason);
        }
        finally
        {
            PortalAppFactory.DeleteDataDirectory(dataDirectory);
        }
    }

    private sealed class RestartablePortal(string dataDirectory) : WorkerPortal(null, dataDirectory);
}
