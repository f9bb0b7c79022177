using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Tenants;

public sealed class TenantStorageTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task TenantUserMembership_RoundTrip_KeepsRolesAndFlags(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = new Tenant { Name = "Contoso", Slug = Slug("contoso"), IsSuspended = true, CreatedAt = DateTimeOffset.UnixEpoch.AddDays(20_000) };
        var user = new User { DisplayName = "Ada", Email = "ada@contoso.test", ExternalTenantId = "tid-1", ExternalObjectId = Guid.NewGuid().ToString(), IsPlatformAdmin = true };
        var membership = new Membership { TenantId = tenant.Id, UserId = user.Id, Roles = TenantRoles.Member | TenantRoles.TenantAdmin | TenantRoles.Auditor };

        await using (var db = database.CreateContext(TenantScopes.For(tenant.Id)))
        {
            db.AddRange(tenant, user, membership);
            await db.SaveChangesAsync(Ct);
        }

        await using var reader = database.CreateContext(TenantScopes.For(tenant.Id));
        var loaded = await reader.Memberships.Include(m => m.User).Include(m => m.Tenant).SingleAsync(m => m.Id == membership.Id, Ct);
        Assert.Equal(TenantRoles.Member | TenantRoles.TenantAdmin | TenantRoles.Auditor, loaded.Roles);
        Assert.True(loaded.Grants(TenantRoles.TenantAdmin));
        Assert.False(loaded.Grants(TenantRoles.Manager));
        Assert.Equal("Ada", loaded.User!.DisplayName);
        Assert.Equal(user.ExternalObjectId, loaded.User.ExternalObjectId);
        Assert.True(loaded.User.IsPlatformAdmin);
        Assert.True(loaded.Tenant!.IsSuspended);
        Assert.Equal(tenant.CreatedAt, loaded.Tenant.CreatedAt);

        // Roles are a bit field in SQL too: "holds TenantAdmin" is answered by the database.
        var admins = await reader.Memberships.Where(m => (m.Roles & TenantRoles.TenantAdmin) == TenantRoles.TenantAdmin).CountAsync(Ct);
        Assert.Equal(1, admins);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Tenant_DuplicateSlug_IsRejected(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var slug = Slug("dup");
        await using var db = database.CreateContext(new TenantContext());
        db.Tenants.Add(new Tenant { Name = "First", Slug = slug });
        await db.SaveChangesAsync(Ct);

        db.Tenants.Add(new Tenant { Name = "Second", Slug = slug });

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task User_SameExternalIdentityTwice_IsRejected_LocalUsersMayRepeatNulls(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var objectId = Guid.NewGuid().ToString();
        await using (var db = database.CreateContext(new TenantContext()))
        {
            db.PortalUsers.AddRange(
                new User { DisplayName = "Local one" },
                new User { DisplayName = "Local two" },
                new User { DisplayName = "External", ExternalTenantId = "tid-x", ExternalObjectId = objectId, ExternalScheme = "Entra", ExternalIssuer = "https://issuer.test/tid-x/v2.0" },
                new User { DisplayName = "Same oid, other issuer", ExternalTenantId = "tid-x", ExternalObjectId = objectId, ExternalScheme = "Oidc", ExternalIssuer = "https://keycloak.test/realms/x" });
            await db.SaveChangesAsync(Ct);
        }

        await using var again = database.CreateContext(new TenantContext());
        again.PortalUsers.Add(new User { DisplayName = "Impostor", ExternalTenantId = "tid-x", ExternalObjectId = objectId, ExternalScheme = "Entra", ExternalIssuer = "https://issuer.test/tid-x/v2.0" });

        await Assert.ThrowsAsync<DbUpdateException>(() => again.SaveChangesAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Membership_SameUserTwiceInOneTenant_IsRejected(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Twice");

        await using var db = database.CreateContext(TenantScopes.For(seeded.Id));
        db.Memberships.Add(new Membership { TenantId = seeded.Id, UserId = seeded.Owner.Id, Roles = TenantRoles.Manager });

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ExternalTenantMapping_RoundTrip(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Mapped");
        var mapping = new ExternalTenantMapping
        {
            ExternalTenantId = Guid.NewGuid().ToString(),
            ExternalGroupId = "group-1",
            PortalTenantId = seeded.Id,
            DefaultRoles = TenantRoles.Member | TenantRoles.Manager,
        };

        await using (var db = database.CreateContext(new TenantContext()))
        {
            db.ExternalTenantMappings.Add(mapping);
            await db.SaveChangesAsync(Ct);
        }

        await using var reader = database.CreateContext(new TenantContext());
        var loaded = await reader.ExternalTenantMappings.SingleAsync(m => m.ExternalTenantId == mapping.ExternalTenantId, Ct);
        Assert.Equal(seeded.Id, loaded.PortalTenantId);
        Assert.Equal("group-1", loaded.ExternalGroupId);
        Assert.Equal(TenantRoles.Member | TenantRoles.Manager, loaded.DefaultRoles);
    }

    private static string Slug(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
