using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Setup;

public sealed class AddPortalDataTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("portal-setup-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);

    [Fact]
    public async Task Defaults_SqliteFileInDataFolder_NotMigratedUntilAsked()
    {
        using var host = PortalDataHost.CreateBuilder(_contentRoot, new Dictionary<string, string?>()).Build();
        await host.StartAsync(Ct);

        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.True(db.Database.IsSqlite());
            var expectedFile = Path.Combine(_contentRoot, ".data", "portal.db");
            Assert.Equal($"Data Source={expectedFile}", db.Database.GetConnectionString());

            // Starting the host changed no schema.
            Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync(Ct));

            await scope.ServiceProvider.GetRequiredService<PortalDatabaseMigrator>().MigrateAsync(Ct);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
            Assert.True(File.Exists(expectedFile));
        }

        await host.StopAsync(Ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void RelativeDataDirectory_IsResolvedAgainstContentRoot()
    {
        using var host = PortalDataHost.CreateBuilder(_contentRoot, new Dictionary<string, string?> { ["Portal:DataDirectory"] = "state/db" }).Build();

        var options = host.Services.GetRequiredService<IOptions<PortalDataOptions>>().Value;

        Assert.Equal(Path.Combine(_contentRoot, "state", "db"), options.DataDirectory);
    }

    [Fact]
    public async Task SqlServerWithoutConnectionString_StopsStartWithMessage()
    {
        using var host = PortalDataHost.CreateBuilder(_contentRoot, new Dictionary<string, string?> { ["Database:Provider"] = "SqlServer" }).Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Database:Provider is SqlServer, which needs a connection string: set ConnectionStrings:Portal.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownProvider_StopsStartNamingTheSetting()
    {
        using var host = PortalDataHost.CreateBuilder(_contentRoot, new Dictionary<string, string?> { ["Database:Provider"] = "Oracle" }).Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Ct));

        Assert.Contains("'Database:Provider'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Oracle", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyDataDirectory_StopsStartWithMessage()
    {
        using var host = PortalDataHost.CreateBuilder(_contentRoot, new Dictionary<string, string?> { ["Portal:DataDirectory"] = " " }).Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Portal:DataDirectory must name a folder.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSqlProvider_UsesNpgsqlAndItsMigrationsAssembly()
    {
        using var host = PortalDataHost.CreateBuilder(_contentRoot, new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Portal"] = "Host=db.invalid;Database=portal",
        }).Build();
        using var scope = host.Services.CreateScope();

        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();

        Assert.True(db.Database.IsNpgsql());
        Assert.Contains(db.Database.GetMigrations(), m => m.EndsWith("_Initial", StringComparison.Ordinal));
        Assert.Equal("Portal.Migrations.PostgreSql", PortalDatabase.MigrationsAssembly(DatabaseProvider.PostgreSql));
    }

    [Fact]
    public void FactoryContexts_ShareTheScopesTenantContext()
    {
        using var host = PortalDataHost.CreateBuilder(_contentRoot, new Dictionary<string, string?>()).Build();
        using var scope = host.Services.CreateScope();
        var tenantId = Guid.NewGuid();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(tenantId);

        using var fromFactory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        var injected = scope.ServiceProvider.GetRequiredService<PortalDbContext>();

        Assert.Equal(tenantId, fromFactory.CurrentTenantId);
        Assert.Equal(tenantId, injected.CurrentTenantId);
        using var otherScope = host.Services.CreateScope();
        Assert.Null(otherScope.ServiceProvider.GetRequiredService<PortalDbContext>().CurrentTenantId);
    }

    [Fact]
    public void TenantContextRegisteredBefore_IsKept()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { ContentRootPath = _contentRoot, DisableDefaults = true });
        var fixedTenant = new TenantContext();
        builder.Services.AddSingleton<ITenantContext>(fixedTenant);

        builder.AddPortalData();
        using var host = builder.Build();
        using var scope = host.Services.CreateScope();

        Assert.Same(fixedTenant, scope.ServiceProvider.GetRequiredService<ITenantContext>());
    }
}
