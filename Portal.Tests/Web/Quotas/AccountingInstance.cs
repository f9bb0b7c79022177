using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Portal.Data;
using Portal.Domain.Quotas;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Quotas;

/// <summary>
/// One "portal instance" for accounting tests: a host with the portal's data layer and accounting
/// services over a shared test database, its clock given by the test. Not started: the sweeper is
/// called directly, so time is the test's.
/// </summary>
public sealed class AccountingInstance : IDisposable
{
    private readonly IHost host;
    private readonly string contentRoot = Directory.CreateTempSubdirectory("portal-accounting-").FullName;

    public AccountingInstance(TestDatabase database, TimeProvider time)
    {
        Database = database;
        var configuration = PortalDataHost.ConfigurationFor(database);
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            // A modest pool per instance, as a deployment would size it: 200 callers then wait for a
            // connection instead of exceeding the test server's 100 connections.
            configuration["ConnectionStrings:Portal"] = new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 20 }.ConnectionString;
        }

        var builder = PortalDataHost.CreateBuilder(contentRoot, configuration);
        builder.Services.AddSingleton(time);
        builder.AddPortalAccounting();
        host = builder.Build();
    }

    public TestDatabase Database { get; }

    public QuotaLedger Ledger => host.Services.GetRequiredService<QuotaLedger>();

    public UsageAccounting Usage => host.Services.GetRequiredService<UsageAccounting>();

    /// <summary>Sets the tenant's (or, with <paramref name="userId"/>, the person's) limits.</summary>
    public static async Task SetQuotaAsync(TestDatabase database, Guid tenantId, Guid? userId, Action<Quota> set)
    {
        await using var db = database.CreateContext(TenantScopes.For(tenantId));
        var quota = db.Quotas.SingleOrDefault(q => q.UserId == userId);
        if (quota is null)
        {
            quota = new Quota { TenantId = tenantId, UserId = userId };
            db.Quotas.Add(quota);
        }

        set(quota);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The counter of one window, straight from the database (0 when it was never created).</summary>
    public static long Counter(TestDatabase database, Guid tenantId, Guid userKey, string window)
    {
        using var db = database.CreateContext(TenantScopes.For(tenantId));
        return db.QuotaCounters.Where(c => c.UserKey == userKey && c.Window == window).Select(c => c.Value).SingleOrDefault();
    }

    public static int Holds(TestDatabase database, Guid tenantId)
    {
        using var db = database.CreateContext(TenantScopes.For(tenantId));
        return db.QuotaHolds.Count();
    }

    public void Dispose()
    {
        host.Dispose();
        Directory.Delete(contentRoot, recursive: true);
    }
}
