using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Domain.Policies;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Admin;
using Portal.Web.Audit;
using Portal.Web.Policies;

namespace Portal.Tests.Data.Policies;

/// <summary>Saving a policy through the editor's service: every save is a new version, audited; bad drafts are refused with the reason.</summary>
public sealed class PolicyVersioningTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task EachSave_IsANewVersion_OldVersionsStay_AndTheChangeIsAudited(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Versioned");
        using var host = Host(database);
        var admin = new AdminActor(seeded.Owner.Id, false, seeded.Id, IsTenantAdmin: true);

        var first = await SaveAsync(host, admin, draft => draft.InputRules.Add(new PolicyRule("codenames", PolicyRuleKind.Word, "falcon")));
        var second = await SaveAsync(host, admin, draft => draft.EnforcedSystemPrompt = "Be brief.");

        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.Equal(["codenames"], second.InputRules.Select(r => r.Name)); // carried into the next version
        await using var db = database.CreateContext(TenantScopes.For(seeded.Id));
        var versions = await db.TenantPolicies.OrderBy(p => p.Version).ToListAsync(Ct);
        Assert.Equal([(1, (string?)null), (2, "Be brief.")], versions.Select(v => (v.Version, v.EnforcedSystemPrompt)));
        var audits = await db.AuditEvents.Where(a => a.TenantId == seeded.Id && a.Action == "policy.saved").OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal(2, audits.Count);
        Assert.Null(audits[0].Before);
        Assert.Contains("\"version\":1", audits[1].Before, StringComparison.Ordinal);
        Assert.Contains("\"version\":2", audits[1].After, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task BadDraft_IsRefusedWithTheReason_AndNothingIsSaved(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Refused");
        using var host = Host(database);
        var admin = new AdminActor(seeded.Owner.Id, false, seeded.Id, IsTenantAdmin: true);

        var refused = await Assert.ThrowsAsync<AdminException>(() => SaveAsync(host, admin, d => d.InputRules.Add(new PolicyRule("ids", PolicyRuleKind.Regex, "(unclosed"))));

        Assert.StartsWith("Rule “ids” is not a valid regular expression:", refused.Message, StringComparison.Ordinal);
        await using var db = database.CreateContext(TenantScopes.For(seeded.Id));
        Assert.Empty(await db.TenantPolicies.ToListAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task AMember_OrAnotherTenantsAdmin_CannotSave(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Guarded");
        var other = await SeededTenant.CreateAsync(database, "Elsewhere");
        using var host = Host(database);

        await Assert.ThrowsAsync<AdminException>(() => SaveAsync(host, new AdminActor(seeded.Owner.Id, false, seeded.Id, IsTenantAdmin: false), _ => { }));
        await Assert.ThrowsAsync<AdminException>(() => SaveAsync(host, new AdminActor(other.Owner.Id, false, other.Id, IsTenantAdmin: true) with { ActiveTenantId = seeded.Id, IsTenantAdmin = false }, _ => { }));
        await using var db = database.CreateContext(TenantScopes.For(seeded.Id));
        Assert.Empty(await db.TenantPolicies.ToListAsync(Ct));
    }

    private static async Task<TenantPolicy> SaveAsync(IHost host, AdminActor admin, Action<TenantPolicy> edit)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var policies = scope.ServiceProvider.GetRequiredService<PolicyAdministration>();
        var current = await policies.CurrentOrNewAsync(admin, Ct);
        var draft = current.NextDraft();
        edit(draft);
        return await policies.SaveAsync(admin, draft, Ct);
    }

    private static IHost Host(TestDatabase database)
    {
        var builder = PortalDataHost.CreateBuilder(AppContext.BaseDirectory, PortalDataHost.ConfigurationFor(database));
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero)));
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddScoped<PolicyAdministration>();
        return builder.Build();
    }
}
