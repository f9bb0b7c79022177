using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Models;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;
using Portal.Tests.Data.Infrastructure;
using Portal.Tests.Web.Quotas;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Reports;

/// <summary>The people, models and workspaces a seeded tenant's records are spread over.</summary>
internal sealed record ReportCast(List<Guid> People, List<Guid> Models, List<Guid> Workspaces);

/// <summary>What the report tests share: a tenant's cast, records written through the product's accounting, and the report.</summary>
internal static class ReportSeed
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// Adds two people, two models and a second workspace to <paramref name="tenant"/> (its owner and first workspace
    /// count too), and the default hardware profile if there is none: 8,766 over 1 year fully used, 1 an hour, no power.
    /// </summary>
    public static async Task<ReportCast> CastAsync(TestDatabase database, SeededTenant tenant, string name)
    {
        var cast = new ReportCast([tenant.Owner.Id], [], [tenant.Workspace.Id]);
        var context = new TenantContext();
        await using var db = database.CreateContext(context);
        using var platform = context.BeginPlatformScope();
        for (var i = 1; i <= 2; i++)
        {
            var person = new User { DisplayName = $"{name} person {i}", Email = $"p{i}@{tenant.Tenant.Slug}.test", CreatedAt = DateTimeOffset.UnixEpoch };
            var model = new ModelEntry { Name = $"{name} model {i}-{Guid.NewGuid():N}"[..30], FileName = $"{Guid.NewGuid():N}.gguf", Sha256 = Guid.NewGuid().ToString("N") };
            db.AddRange(person, new Membership { TenantId = tenant.Id, UserId = person.Id, Roles = TenantRoles.Member, CreatedAt = DateTimeOffset.UnixEpoch }, model);
            cast.People.Add(person.Id);
            cast.Models.Add(model.Id);
        }

        var second = new Workspace { TenantId = tenant.Id, Name = $"{name} research", CreatedAt = DateTimeOffset.UnixEpoch };
        db.Add(second);
        cast.Workspaces.Add(second.Id);
        if (!await db.HardwareProfiles.AnyAsync(p => p.IsDefault, Ct))
        {
            db.HardwareProfiles.Add(new HardwareProfile { Name = "Default", IsDefault = true, HardwarePrice = 8_766m, LifetimeYears = 1, Utilisation = 1m });
        }

        await db.SaveChangesAsync(Ct);
        return cast;
    }

    /// <summary>Writes copies of <paramref name="records"/> through the product's accounting, in an order shuffled by <paramref name="random"/>.</summary>
    public static async Task RecordShuffledAsync(TestDatabase database, IEnumerable<UsageRecord> records, Random random)
    {
        using var instance = new AccountingInstance(database, new FakeTimeProvider());
        foreach (var record in records.OrderBy(_ => random.Next()))
        {
            await instance.Usage.RecordAsync(Copy(record), Ct);
        }
    }

    public static async Task<UsageReport> BuildAsync(TestDatabase database, ReportScope scope, DateOnly from, DateOnly to)
    {
        var tenantContext = new TenantContext();
        await using var db = database.CreateContext(tenantContext);
        return await new UsageReports(db, tenantContext).BuildAsync(scope, from, to, Ct);
    }

    private static UsageRecord Copy(UsageRecord r) => new()
    {
        Id = r.Id, TenantId = r.TenantId, UserId = r.UserId, ModelEntryId = r.ModelEntryId, WorkspaceId = r.WorkspaceId, PromptTokens = r.PromptTokens,
        CompletionTokens = r.CompletionTokens, TimeToFirstToken = r.TimeToFirstToken, Duration = r.Duration, TokensPerSecond = r.TokensPerSecond,
        Outcome = r.Outcome, Node = r.Node, CreatedAt = r.CreatedAt,
    };
}
