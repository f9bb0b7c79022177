using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Web.Hosting;
using Portal.Web.Endpoints;

namespace Portal.Tests.Web.Endpoints;

/// <summary>A stored endpoint key still opens after the portal restarts on the same data folder, and only there.</summary>
public sealed class EndpointKeyRingTests
{
    private static readonly Dictionary<string, string?> NoModel = new() { ["Portal:Models:CreateTestModelWhenEmpty"] = "false", ["Portal:Models:ScanOnStart"] = "false" };

    [Fact]
    public async Task ProtectedKey_OpensAfterARestart_FromTheKeyRingInTheDataFolder()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portal-tests", "restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string stored;
            await using (var first = new PortalAppFactory(NoModel, dataDirectory: dataDirectory))
            {
                stored = first.Services.GetRequiredService<EndpointKeys>().Protect("sk-restart-1234");
            }

            Assert.NotEmpty(Directory.GetFiles(Path.Combine(dataDirectory, EndpointsExtensions.DataProtectionKeysFolder), "*.xml"));
            await using (var again = new PortalAppFactory(NoModel, migrate: false, dataDirectory: dataDirectory))
            {
                Assert.Equal("sk-restart-1234", again.Services.GetRequiredService<EndpointKeys>().Unprotect(stored));
            }

            await using var elsewhere = new PortalAppFactory(NoModel);
            Assert.Throws<System.Security.Cryptography.CryptographicException>(() => elsewhere.Services.GetRequiredService<EndpointKeys>().Unprotect(stored));
        }
        finally
        {
            PortalAppFactory.DeleteDataDirectory(dataDirectory);
        }
    }
}
