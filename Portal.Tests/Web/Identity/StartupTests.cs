using Microsoft.EntityFrameworkCore;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Identity;

/// <summary>What the first start does, and refuses to do, with the database.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Start_DatabaseNotMigrated_StopsWithMigrateHint()
    {
        await using var app = new PortalAppFactory(migrate: false);

        var error = Assert.Throws<InvalidOperationException>(app.StartServer);

        Assert.Contains("migration(s) pending", error.Message, StringComparison.Ordinal);
        Assert.Contains("--migrate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WeakConfiguredAdminPassword_StopsWithIdentityReason()
    {
        await using var app = new PortalAppFactory(new Dictionary<string, string?> { ["Portal:Bootstrap:AdminPassword"] = "short" });

        var error = Assert.Throws<InvalidOperationException>(app.StartServer);

        Assert.Contains("The bootstrap administrator could not be created", error.Message, StringComparison.Ordinal);
        Assert.Contains("at least 12 characters", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidRoleMap_StopsWithTheSettingNamed()
    {
        await using var app = new PortalAppFactory(new Dictionary<string, string?> { ["Portal:ExternalSignIn:RoleMap:Portal.Boss"] = "Emperor" });

        var error = Assert.ThrowsAny<Exception>(app.StartServer);

        Assert.Contains("Portal:ExternalSignIn:RoleMap:Portal.Boss is 'Emperor', which is not a portal role", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RoleMapNamesPlatformAdmin_StopsBecausePlatformRightsNeverComeFromATokenRole()
    {
        await using var app = new PortalAppFactory(new Dictionary<string, string?> { ["Portal:ExternalSignIn:RoleMap:Portal.Root"] = "PlatformAdmin" });

        var error = Assert.ThrowsAny<Exception>(app.StartServer);

        Assert.Contains("Portal:ExternalSignIn:RoleMap:Portal.Root is 'PlatformAdmin'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Portal:ExternalSignIn:PlatformAdmins", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_EmptyDatabase_CreatesOneAdminWhosePasswordIsOnlyHashed()
    {
        await using var app = new PortalAppFactory();
        app.StartServer();

        var admins = await app.QueryAsync(db => db.PortalUsers.Where(u => u.IsPlatformAdmin).ToListAsync(TestContext.Current.CancellationToken));
        var account = await app.QueryAsync(db => db.Users.SingleAsync(a => a.Email == PortalAppFactory.AdminEmail, TestContext.Current.CancellationToken));

        var admin = Assert.Single(admins);
        Assert.Equal(admin.Id, account.Id);
        Assert.NotNull(account.PasswordHash);
        Assert.DoesNotContain(PortalAppFactory.AdminPassword, account.PasswordHash, StringComparison.Ordinal);
        Assert.False(account.LockoutEnabled); // sign-in throttling per address and source replaces account lockout
    }
}
