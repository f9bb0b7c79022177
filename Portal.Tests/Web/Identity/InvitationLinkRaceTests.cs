using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Audit;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Identity;

/// <summary>
/// The link's single use on every provider the machine has: many requests racing with one invitation link
/// through two instances sharing the database create exactly one account.
/// </summary>
public sealed class InvitationLinkRaceTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>, IDisposable
{
    private readonly string contentRoot = Directory.CreateTempSubdirectory("portal-invites-").FullName;

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task SetupLink_20ParallelUsesThroughTwoInstances_ExactlyOneAccount(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Race");
        var email = $"{Guid.NewGuid():N}@race.test";
        var invitation = new Invitation { TenantId = seeded.Id, Email = email, CreatedAt = time.GetUtcNow(), ExpiresAt = time.GetUtcNow().AddHours(72), SecretHash = [] };
        var (token, hash) = OneTimeSecret.Create(invitation.Id);
        invitation.SecretHash = hash;
        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            db.Invitations.Add(invitation);
            await db.SaveChangesAsync(Ct);
        }

        using var first = Instance(database);
        using var second = Instance(database);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            await using var scope = (i % 2 == 0 ? first : second).Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<PasswordSetup>().CompleteAsync(token, $"Racer-{i}-Pass-1234!", $"Racer-{i}-Pass-1234!", null, Ct);
        }, Ct)));

        Assert.Single(results, r => r.Succeeded);
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(PasswordSetup.UsedLink, r.LinkRefusal));
        await using var check = database.CreateContext(TenantScopes.For(seeded.Id));
        Assert.Equal(1, await check.PortalUsers.CountAsync(u => u.Email == email, Ct));
        Assert.Equal(1, await check.Memberships.CountAsync(m => m.TenantId == seeded.Id && m.User!.Email == email, Ct));
    }

    /// <summary>A portal instance with the data layer, Identity and the link service over the shared database.</summary>
    private IHost Instance(TestDatabase database)
    {
        var builder = PortalDataHost.CreateBuilder(contentRoot, PortalDataHost.ConfigurationFor(database));
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddIdentityCore<LocalAccount>(o => o.User.RequireUniqueEmail = true).AddEntityFrameworkStores<PortalDbContext>();
        builder.Services.AddScoped<PasswordSetup>();
        return builder.Build();
    }

    public void Dispose() => Directory.Delete(contentRoot, recursive: true);
}
