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
            Guid crashing;
            await using (var first = new RestartablePortal(dataDirectory))
            {
                await first.InitializeAsync();
                var path = Path.Combine(first.Catalog.ModelsFolder, "aborts.gguf");
                MalformedTestModels.Write(path, "f16-norms");
                crashing = (await first.Catalog.RegisterFileAsync(path, isTestModel: true, Cancel)).Id;
                await Assert.ThrowsAsync<ModelCatalogException>(() => first.Catalog.LoadAsync(crashing, null, Cancel));
            }

            await using var second = new RestartablePortal(dataDirectory);
            await second.InitializeAsync();

            var stored = await second.Factory.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == crashing, Cancel));
            Assert.Equal(ModelState.Failed, stored.State);
            Assert.Contains("SIGABRT", stored.FailureReason, StringComparison.Ordinal);
            Assert.DoesNotContain(second.Workers.Processes, p => p.ModelId == ModelCatalog.EngineId(crashing));
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
