using System.ClientModel;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Web.Chat;
using Portal.Web.Admin;
using Portal.Web.Api;

namespace Portal.Tests.Web.Api;

/// <summary>
/// API keys: refused on the very next request once revoked, expired, or when the person they act as is
/// disabled or removed; kept only as a hash; administered per tenant (another tenant's key is "not
/// found"); created, first used and revoked in the audit log.
/// </summary>
public sealed class ApiKeyTests(ChatApp app) : IClassFixture<ChatApp>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RevokedKey_IsRefusedOnTheNextRequest()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        await ListModelsAsync(tenant.Key.Secret);

        await RevokeAsync(tenant, tenant.Key.Key.Id);

        Assert.Equal("This API key has been revoked.", await RefusalAsync(tenant.Key.Secret));
    }

    [Fact]
    public async Task ExpiredKey_IsRefused()
    {
        var tenant = await ApiClients.NewTenantAsync(app, expires: DateTimeOffset.UtcNow.AddDays(1));
        await ListModelsAsync(tenant.Key.Secret);

        await app.Factory.QueryAsync(db => db.ApiKeys.Where(k => k.Id == tenant.Key.Key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1)), Cancel));

        Assert.Equal("This API key has expired.", await RefusalAsync(tenant.Key.Secret));
    }

    [Fact]
    public async Task DisabledPerson_OrRemovedMembership_StopsTheirKeyAtOnce()
    {
        var disabled = await ApiClients.NewTenantAsync(app);
        var removed = await ApiClients.NewTenantAsync(app);
        await ListModelsAsync(disabled.Key.Secret);
        await ListModelsAsync(removed.Key.Secret);

        await app.Factory.QueryAsync(db => db.PortalUsers.Where(u => u.Id == disabled.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.IsDisabled, true), Cancel));
        await app.Factory.QueryAsync(db => db.Memberships.Where(m => m.UserId == removed.UserId).ExecuteDeleteAsync(Cancel));

        const string Refusal = "The person this API key acts for may no longer use the portal in this tenant.";
        Assert.Equal(Refusal, await RefusalAsync(disabled.Key.Secret));
        Assert.Equal(Refusal, await RefusalAsync(removed.Key.Secret));
    }

    [Fact]
    public async Task UnboundKey_ActsAsItsCreator_AndStopsWhenTheCreatorLosesAccess()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        var unbound = await ApiClients.CreateKeyAsync(app, tenant.Tenant, "team key", null, []);
        await ListModelsAsync(unbound.Secret);
        Assert.Equal("team key", unbound.Key.Name);
        Assert.Null(unbound.Key.Person);

        await app.Factory.QueryAsync(db => db.Memberships.Where(m => m.UserId == tenant.UserId).ExecuteUpdateAsync(s => s.SetProperty(m => m.IsDisabled, true), Cancel));

        Assert.Equal("The person this API key acts for may no longer use the portal in this tenant.", await RefusalAsync(unbound.Secret));
    }

    [Fact]
    public async Task Secret_IsStoredOnlyAsItsHash_AndTheKeysLifeIsAudited_FirstUseOnce()
    {
        var tenant = await ApiClients.NewTenantAsync(app);
        var key = tenant.Key;
        Assert.Matches("^pk-[A-Za-z0-9_-]{12}\\.[A-Za-z0-9_-]{43}$", key.Secret);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ListModelsAsync(key.Secret)));
        await ListModelsAsync(key.Secret);
        await RevokeAsync(tenant, key.Key.Id);

        var row = await app.Factory.QueryAsync(db => db.ApiKeys.SingleAsync(k => k.Id == key.Key.Id, Cancel));
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key.Secret)), row.SecretHash);
        Assert.NotNull(row.LastUsedAt);
        var audit = await app.Factory.QueryAsync(db => db.AuditEvents.Where(e => e.TenantId == tenant.TenantId && e.Action.StartsWith("api-key.")).OrderBy(e => e.Sequence).ToListAsync(Cancel));
        Assert.Equal(["api-key.created", "api-key.first-used", "api-key.revoked"], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.DoesNotContain(key.Secret[16..], (e.Before ?? "") + (e.After ?? ""), StringComparison.Ordinal));
    }

    [Fact]
    public async Task TenantAdmin_SeesAndRevokesOnlyTheirTenantsKeys_AndAMemberMayNotAdministerKeys()
    {
        var a = await ApiClients.NewTenantAsync(app);
        var b = await ApiClients.NewTenantAsync(app);
        await using var scope = app.Factory.Services.CreateAsyncScope();
        var keys = scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>();
        var adminOfA = new AdminActor(a.UserId, false, a.TenantId, true);

        var listed = await keys.ListAsync(adminOfA, Cancel);
        Assert.Equal([a.Key.Key.Id], listed.Select(k => k.Id));
        var revokeOther = await Assert.ThrowsAsync<AdminException>(() => keys.RevokeAsync(adminOfA, b.Key.Key.Id, Cancel));
        Assert.Equal(AdminFailure.NotFound, revokeOther.Failure);
        await ListModelsAsync(b.Key.Secret); // still works
        var bindOther = await Assert.ThrowsAsync<AdminException>(() => keys.CreateAsync(adminOfA, new ApiKeyDraft("borrowed", b.UserId, null, []), Cancel));
        Assert.Equal("A key can only be bound to an active member of this tenant.", bindOther.Message);

        var member = new AdminActor(a.UserId, false, a.TenantId, false);
        var forbidden = await Assert.ThrowsAsync<AdminException>(() => keys.ListAsync(member, Cancel));
        Assert.Equal(AdminFailure.Forbidden, forbidden.Failure);
    }

    private async Task ListModelsAsync(string key) =>
        Assert.NotEmpty((await ApiClients.OpenAi(app, key).GetOpenAIModelClient().GetModelsAsync(Cancel)).Value);

    private async Task<string> RefusalAsync(string key)
    {
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => ApiClients.OpenAi(app, key).GetOpenAIModelClient().GetModelsAsync(Cancel));
        Assert.Equal(401, refused.Status);
        return ApiDoorTests.ErrorOf(refused).GetProperty("message").GetString()!;
    }

    private async Task RevokeAsync(ApiTenant tenant, Guid keyId)
    {
        await using var scope = app.Factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ApiKeyAdministration>().RevokeAsync(new AdminActor(tenant.UserId, false, tenant.TenantId, true), keyId, Cancel);
    }
}
