using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Admin;
using Portal.Web.Api;
using Portal.Web.Audit;

namespace Portal.Tests.Data.Api;

/// <summary>API keys on every database the machine has: stored hashed, found by their public id across tenants, revoked per tenant.</summary>
public sealed class ApiKeyStorageTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Key_IsStoredHashed_FoundByItsPublicId_AndRevokedOnlyByItsTenant(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var mine = await SeededTenant.CreateAsync(database, "Keys");
        var theirs = await SeededTenant.CreateAsync(database, "Other");
        using var host = Host(database);
        var admin = new AdminActor(mine.Owner.Id, false, mine.Id, IsTenantAdmin: true);
        var otherAdmin = new AdminActor(theirs.Owner.Id, false, theirs.Id, IsTenantAdmin: true);

        CreatedApiKey created;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            created = await scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>()
                .CreateAsync(admin, new ApiKeyDraft("  ci  ", mine.Owner.Id, Now.AddDays(30), []), Ct);
        }

        var keyId = ApiKeySecrets.KeyIdOf(created.Secret)!;
        var platform = new TenantContext();
        await using (var db = database.CreateContext(platform))
        using (platform.BeginPlatformScope())
        {
            var row = await db.ApiKeys.SingleAsync(k => k.KeyId == keyId, Ct);
            Assert.True(ApiKeySecrets.Matches(created.Secret, row.SecretHash));
            Assert.False(ApiKeySecrets.Matches(created.Secret + "x", row.SecretHash));
            Assert.Equal(("ci", mine.Id, (Guid?)mine.Owner.Id, (DateTimeOffset?)Now.AddDays(30)), (row.Name, row.TenantId, row.UserId, row.ExpiresAt));
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var keys = scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>();
            Assert.Empty(await keys.ListAsync(otherAdmin, Ct));
            var refused = await Assert.ThrowsAsync<AdminException>(() => keys.RevokeAsync(otherAdmin, created.Key.Id, Ct));
            Assert.Equal(AdminFailure.NotFound, refused.Failure);
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var keys = scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>();
            await keys.RevokeAsync(admin, created.Key.Id, Ct);
            Assert.Equal("Revoked", Assert.Single(await keys.ListAsync(admin, Ct)).State);
        }

        await using var check = database.CreateContext(TenantScopes.For(mine.Id));
        Assert.Equal(["api-key.created", "api-key.revoked"], await check.AuditEvents.Where(a => a.TenantId == mine.Id && a.Action.StartsWith("api-key.")).OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
    }

    private static IHost Host(TestDatabase database)
    {
        var builder = PortalDataHost.CreateBuilder(AppContext.BaseDirectory, PortalDataHost.ConfigurationFor(database));
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddScoped<ApiKeyAdministration>();
        return builder.Build();
    }
}
