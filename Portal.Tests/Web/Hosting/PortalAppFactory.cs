using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Data;
using Portal.Domain.Tenants;

namespace Portal.Tests.Web.Hosting;

/// <summary>
/// The real portal over a real SQLite file of its own (a fresh folder per factory), migrated through
/// the real <see cref="PortalDatabaseMigrator"/> before the host starts, exactly as <c>--migrate</c> does.
/// </summary>
public sealed class PortalAppFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@portal.test";

    /// <summary>The bootstrap administrator's password, given through configuration as an operator would.</summary>
    public const string AdminPassword = "Bootstrap-Admin-Pass-42!";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _testServices;
    private readonly bool _ownsDataDirectory;

    /// <param name="settings">Configuration on top of the test defaults (database folder, bootstrap administrator).</param>
    /// <param name="testServices">Service replacements, applied after the portal's own registrations.</param>
    /// <param name="migrate">False leaves the database empty, as a first start without <c>--migrate</c> finds it.</param>
    /// <param name="dataDirectory">An existing data folder to start on again (the caller keeps it); by default a new one of the factory's own.</param>
    public PortalAppFactory(
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? testServices = null,
        bool migrate = true,
        string? dataDirectory = null)
    {
        _ownsDataDirectory = dataDirectory is null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "portal-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        _settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Portal:DataDirectory"] = DataDirectory,
            ["Portal:Bootstrap:AdminEmail"] = AdminEmail,
            ["Portal:Bootstrap:AdminPassword"] = AdminPassword,

            // The product runs models in worker processes; a test portal not about workers runs llama.cpp
            // in-process (most are on TestServer, which a worker process cannot reach). Worker tests set Processes.
            ["Portal:Workers:Mode"] = "InProcess",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        _testServices = testServices;
        if (migrate)
        {
            MigrateDatabase(DataDirectory);
        }
    }

    public string DataDirectory { get; }

    /// <summary>Adds a person with a local account and a membership in <paramref name="tenantName"/> (created when missing).</summary>
    public async Task<User> CreateLocalUserAsync(string email, string password, TenantRoles roles, string tenantName = "Default")
    {
        await using var scope = Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<PortalDbContext>();
        using var platform = services.GetRequiredService<ITenantContext>().BeginPlatformScope();

        var tenant = db.Tenants.SingleOrDefault(t => t.Name == tenantName);
        if (tenant is null)
        {
            tenant = new Tenant { Name = tenantName, Slug = tenantName.ToLowerInvariant().Replace(' ', '-'), CreatedAt = DateTimeOffset.UtcNow };
            db.Tenants.Add(tenant);
        }

        var user = new User { DisplayName = email, Email = email, CreatedAt = DateTimeOffset.UtcNow };
        db.PortalUsers.Add(user);
        db.Memberships.Add(new Membership { TenantId = tenant.Id, UserId = user.Id, Roles = roles, CreatedAt = DateTimeOffset.UtcNow });
        var created = await services.GetRequiredService<UserManager<LocalAccount>>()
            .CreateAsync(new LocalAccount { Id = user.Id, UserName = email, Email = email }, password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        return user;
    }

    /// <summary>Adds another membership for an existing person.</summary>
    public async Task<Tenant> AddMembershipAsync(Guid userId, string tenantName, TenantRoles roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        using var platform = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginPlatformScope();
        var tenant = new Tenant { Name = tenantName, Slug = tenantName.ToLowerInvariant().Replace(' ', '-'), CreatedAt = DateTimeOffset.UtcNow };
        db.Tenants.Add(tenant);
        db.Memberships.Add(new Membership { TenantId = tenant.Id, UserId = userId, Roles = roles, CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        return tenant;
    }

    /// <summary>Adds a tenant, and maps an external directory (and optionally one of its groups) to it.</summary>
    public async Task<Tenant> MapExternalTenantAsync(string externalTenantId, string tenantName, string? groupId = null, TenantRoles defaultRoles = TenantRoles.Member)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        using var platform = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginPlatformScope();
        var tenant = new Tenant { Name = tenantName, Slug = tenantName.ToLowerInvariant().Replace(' ', '-'), CreatedAt = DateTimeOffset.UtcNow };
        db.Tenants.Add(tenant);
        db.ExternalTenantMappings.Add(new ExternalTenantMapping
        {
            ExternalTenantId = externalTenantId,
            ExternalGroupId = groupId,
            PortalTenantId = tenant.Id,
            DefaultRoles = defaultRoles,
        });
        await db.SaveChangesAsync();
        return tenant;
    }

    /// <summary>Runs <paramref name="query"/> against the portal database across tenants.</summary>
    public async Task<T> QueryAsync<T>(Func<PortalDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        using var platform = scope.ServiceProvider.GetRequiredService<ITenantContext>().BeginPlatformScope();
        return await query(scope.ServiceProvider.GetRequiredService<PortalDbContext>());
    }

    /// <summary>The step <c>--migrate</c> takes, before the portal starts (a start never migrates).</summary>
    private static void MigrateDatabase(string dataDirectory)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>()
            .UsePortalDatabase(DatabaseProvider.Sqlite, new PortalDataOptions { DataDirectory = dataDirectory }.DefaultSqliteConnectionString())
            .Options;
        using var db = new PortalDbContext((DbContextOptions<PortalDbContext>)options, new TenantContext());
        new PortalDatabaseMigrator(db, NullLogger<PortalDatabaseMigrator>.Instance).MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");

        // Outside Development the files of packages (MudBlazor, blazor.web.js) are found only in a
        // published wwwroot; from the build output they come through the static web assets manifest.
        builder.UseStaticWebAssets();
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_testServices is not null)
        {
            builder.ConfigureTestServices(_testServices);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsDataDirectory)
        {
            DeleteDataDirectory(DataDirectory);
        }

        GC.SuppressFinalize(this);
    }

    public static void DeleteDataDirectory(string dataDirectory)
    {
        try
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open leaves a folder under the temp directory; nothing depends on it.
        }
    }
}
