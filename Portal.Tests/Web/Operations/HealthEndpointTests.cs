using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Inference.Engine;
using Portal.Tests.Web.Hosting;
using Portal.Web.Models;

namespace Portal.Tests.Web.Operations;

/// <summary>
/// <c>/health/live</c> and <c>/health/ready</c> on the real portal (Kestrel, SQLite, the tiny model loaded),
/// healthy and then with one real part broken: the database file gone, a migration missing from the
/// database, the models folder not writable, a loaded model no longer in the engine.
/// </summary>
public sealed class HealthEndpointTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LiveAndReady_FreshPortal_HealthyWithStatusOnlyAndSecurityHeaders()
    {
        await using var portal = await OperationsPortal.StartAsync();
        using var probe = portal.Anonymous();

        foreach (var path in new[] { "/health/live", "/health/ready" })
        {
            using var response = await probe.GetAsync(path, Cancel);
            var body = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
            Assert.Equal("Healthy", body);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("default-src", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }

        // A probe from another site's page (Origin set) is answered the same: nothing here needs antiforgery or an Origin check.
        using var crossSite = new HttpRequestMessage(HttpMethod.Get, "/health/ready") { Headers = { { "Origin", "https://elsewhere.example" } } };
        using var crossSiteResponse = await probe.SendAsync(crossSite, Cancel);
        Assert.Equal(HttpStatusCode.OK, crossSiteResponse.StatusCode);
    }

    [Fact]
    public async Task Ready_PlatformAdmin_GetsEachCheckWhileMemberAndAnonymousGetStatusOnly()
    {
        await using var portal = await OperationsPortal.StartAsync();
        var admin = await portal.SignedInPlatformAdminAsync();
        const string email = "ops-member@portal.test";
        await portal.Factory.CreateLocalUserAsync(email, OperationsPortal.MemberPassword, Portal.Domain.Tenants.TenantRoles.Member | Portal.Domain.Tenants.TenantRoles.TenantAdmin);
        var member = await portal.SignedInAsync(email, OperationsPortal.MemberPassword);

        var detail = await ReadyDetailAsync(admin);
        Assert.Equal("Healthy", detail.GetProperty("status").GetString());
        var checks = detail.GetProperty("checks");
        Assert.Equal(["database", "inference", "migrations", "models-folder"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetProperty("status").GetString()));
        Assert.Contains("1 loaded model", checks.GetProperty("inference").GetProperty("description").GetString(), StringComparison.Ordinal);

        // A tenant admin is not a platform admin: status only, like an anonymous probe.
        using var memberResponse = await member.GetAsync("/health/ready");
        Assert.Equal("Healthy", await memberResponse.Content.ReadAsStringAsync(Cancel));
        using var live = await admin.GetAsync("/health/live");
        Assert.Equal("Healthy", JsonDocument.Parse(await live.Content.ReadAsStringAsync(Cancel)).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_DatabaseFileReplacedByFolder_NotReadyAndAdminSeesWhy()
    {
        await using var portal = await OperationsPortal.StartAsync();
        var admin = await portal.SignedInPlatformAdminAsync();

        // Root reads any file whatever its mode, so the file is made unopenable by putting a folder in its place.
        SqliteConnection.ClearAllPools();
        File.Move(portal.DatabaseFile, portal.DatabaseFile + ".moved");
        Directory.CreateDirectory(portal.DatabaseFile);

        using var probe = portal.Anonymous();
        using var response = await probe.GetAsync("/health/ready", Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", await response.Content.ReadAsStringAsync(Cancel));
        using (var live = await probe.GetAsync("/health/live", Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode); // the process is up: a restart would not help
        }

        var database = (await ReadyDetailAsync(admin, HttpStatusCode.ServiceUnavailable)).GetProperty("checks").GetProperty("database");
        Assert.Equal("Unhealthy", database.GetProperty("status").GetString());
        Assert.Contains("cannot be reached", database.GetProperty("description").GetString(), StringComparison.Ordinal);

        // Put back, the portal is ready again without a restart.
        Directory.Delete(portal.DatabaseFile);
        File.Move(portal.DatabaseFile + ".moved", portal.DatabaseFile);
        using var again = await probe.GetAsync("/health/ready", Cancel);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Ready_MigrationMissingFromDatabase_NotReadyNamingIt()
    {
        await using var portal = await OperationsPortal.StartAsync();
        var admin = await portal.SignedInPlatformAdminAsync();
        var latest = await portal.Factory.QueryAsync(async db =>
        {
            var last = (await db.Database.GetAppliedMigrationsAsync(Cancel)).Order(StringComparer.Ordinal).Last();
            await db.Database.ExecuteSqlAsync($"DELETE FROM __EFMigrationsHistory WHERE MigrationId = {last}", Cancel);
            return last;
        });

        using var probe = portal.Anonymous();
        using var response = await probe.GetAsync("/health/ready", Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", await response.Content.ReadAsStringAsync(Cancel));

        var checks = (await ReadyDetailAsync(admin, HttpStatusCode.ServiceUnavailable)).GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        var migrations = checks.GetProperty("migrations");
        Assert.Equal("Unhealthy", migrations.GetProperty("status").GetString());
        Assert.Equal($"1 migration(s) pending, the first being {latest}; apply them with `dotnet Portal.Web.dll --migrate`.", migrations.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Ready_ModelsFolderNotWritable_NotReady()
    {
        await using var portal = await OperationsPortal.StartAsync();
        var admin = await portal.SignedInPlatformAdminAsync();
        var folder = portal.ModelsFolder;

        // The loaded model stays mapped in memory; the folder itself becomes a file nothing can be written into.
        Directory.Move(folder, folder + ".moved");
        await File.WriteAllTextAsync(folder, "not a folder", Cancel);

        using var probe = portal.Anonymous();
        using var response = await probe.GetAsync("/health/ready", Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var modelsFolder = (await ReadyDetailAsync(admin, HttpStatusCode.ServiceUnavailable)).GetProperty("checks").GetProperty("models-folder");
        Assert.Equal("Unhealthy", modelsFolder.GetProperty("status").GetString());
        var why = modelsFolder.GetProperty("description").GetString();
        Assert.StartsWith("The models folder is not writable", why, StringComparison.Ordinal);
        Assert.Contains(folder, why, StringComparison.Ordinal);

        File.Delete(folder);
        Directory.Move(folder + ".moved", folder);
        Assert.Empty(Directory.EnumerateFiles(folder, ".health-*")); // the probe file never stays behind
    }

    [Fact]
    public async Task Ready_LoadedModelMissingFromEngine_NotReady()
    {
        await using var portal = await OperationsPortal.StartAsync();
        var admin = await portal.SignedInPlatformAdminAsync();

        // The catalog still records the model as loaded, but the engine no longer runs it (as when a worker died).
        var engine = portal.Factory.Services.GetRequiredService<IInferenceEngine>();
        var loaded = Assert.Single(engine.LoadedModels);
        await engine.UnloadAsync(loaded.ModelId, Cancel);

        using var probe = portal.Anonymous();
        using var response = await probe.GetAsync("/health/ready", Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var inference = (await ReadyDetailAsync(admin, HttpStatusCode.ServiceUnavailable)).GetProperty("checks").GetProperty("inference");
        Assert.Equal("Unhealthy", inference.GetProperty("status").GetString());
        Assert.StartsWith("None of the 1 loaded model(s) runs in the inference engine", inference.GetProperty("description").GetString(), StringComparison.Ordinal);

        // Unloaded through the catalog (the admin's way), nothing is expected to run: ready.
        await portal.Factory.Services.GetRequiredService<ModelCatalog>().UnloadAsync(Guid.ParseExact(loaded.ModelId, "N"), Cancel);
        using var after = await probe.GetAsync("/health/ready", Cancel);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static async Task<JsonElement> ReadyDetailAsync(BrowserLikeClient admin, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await admin.GetAsync("/health/ready");
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
