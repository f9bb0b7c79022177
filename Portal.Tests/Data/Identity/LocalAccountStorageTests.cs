using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Identity;

/// <summary>ASP.NET Core Identity's own stores over the portal database, wired through AddPortalData.</summary>
public sealed class LocalAccountStorageTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task LocalAccount_CreatedWithItsUser_SignsInWithPasswordClaimsAndRoles(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        using var host = BuildHost(database);
        var user = new User { DisplayName = "Grace", Email = "grace@portal.test" };
        var userName = $"grace-{Guid.NewGuid():N}";

        using (var scope = host.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole<Guid>>>();
            var accounts = scope.ServiceProvider.GetRequiredService<UserManager<LocalAccount>>();
            if (!await roles.RoleExistsAsync("PlatformAdmin"))
            {
                AssertSucceeded(await roles.CreateAsync(new IdentityRole<Guid>("PlatformAdmin")));
            }

            db.PortalUsers.Add(user);
            var account = new LocalAccount { Id = user.Id, UserName = userName, Email = user.Email };
            AssertSucceeded(await accounts.CreateAsync(account, "Correct-horse-9"));
            AssertSucceeded(await accounts.AddClaimAsync(account, new Claim("portal:tenant", "t-1")));
            AssertSucceeded(await accounts.AddToRoleAsync(account, "PlatformAdmin"));
        }

        using (var scope = host.Services.CreateScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<UserManager<LocalAccount>>();
            var found = await accounts.FindByNameAsync(userName);
            Assert.NotNull(found);
            Assert.Equal(user.Id, found.Id);
            Assert.True(await accounts.CheckPasswordAsync(found, "Correct-horse-9"));
            Assert.False(await accounts.CheckPasswordAsync(found, "correct-horse-9"));
            Assert.Contains(await accounts.GetClaimsAsync(found), c => c is { Type: "portal:tenant", Value: "t-1" });
            Assert.True(await accounts.IsInRoleAsync(found, "PlatformAdmin"));

            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            Assert.Equal("Grace", (await db.PortalUsers.SingleAsync(u => u.Id == found.Id, Ct)).DisplayName);
        }
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task LocalAccount_WithoutDomainUser_IsRejectedByTheDatabase(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        using var host = BuildHost(database);
        using var scope = host.Services.CreateScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserManager<LocalAccount>>();

        var orphan = new LocalAccount { Id = Guid.NewGuid(), UserName = $"orphan-{Guid.NewGuid():N}" };

        await Assert.ThrowsAsync<DbUpdateException>(() => accounts.CreateAsync(orphan, "Correct-horse-9"));
    }

    private static IHost BuildHost(TestDatabase database)
    {
        var builder = PortalDataHost.CreateBuilder(AppContext.BaseDirectory, PortalDataHost.ConfigurationFor(database));
        builder.Services.AddIdentityCore<LocalAccount>()
            .AddRoles<IdentityRole<Guid>>()
            .AddEntityFrameworkStores<PortalDbContext>();
        return builder.Build();
    }

    private static void AssertSucceeded(IdentityResult result) =>
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
}
