using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Portal.Data;
using Portal.Domain.Audit;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Audit;

namespace Portal.Tests.Data.Audit;

/// <summary>Helpers for chain tests: append through the real <see cref="AuditLog"/>, tamper with raw SQL, verify.</summary>
internal static class AuditChainTesting
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static AuditLog NewLog() => new(new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero).AddTicks(1234567)));

    /// <summary>Appends <paramref name="count"/> entries to <paramref name="tenantId"/>'s chain, one save each; returns their rows.</summary>
    public static async Task<List<AuditEvent>> AppendAsync(TestDatabase database, Guid? tenantId, int count, string action = "test.action")
    {
        var log = NewLog();
        await using var db = database.CreateContext(new TenantContext());
        var written = new List<AuditEvent>();
        for (var i = 0; i < count; i++)
        {
            var entry = log.Add(db, new AuditEntry(action, Guid.NewGuid(), $"thing:{i}", new { Before = i }, new { After = i, Text = "ünïcødé\nline" }, tenantId));
            await db.SaveChangesAsync(Ct);
            written.Add(entry);
        }

        return written;
    }

    public static async Task<List<AuditEvent>> ChainAsync(TestDatabase database, Guid chainId)
    {
        await using var db = database.CreateContext(new TenantContext());
        return await db.AuditEvents.AsNoTracking().Where(e => e.ChainId == chainId).OrderBy(e => e.Sequence).ToListAsync(Ct);
    }

    public static async Task<AuditChainReport> VerifyAsync(TestDatabase database, Guid chainId)
    {
        await using var db = database.CreateContext(new TenantContext());
        return await new AuditChainVerifier().VerifyAsync(db, chainId, Ct);
    }

    /// <summary>Runs SQL straight against the database, as someone with database access would.</summary>
    public static async Task<int> RawSqlAsync(TestDatabase database, string sql)
    {
        await using var db = database.CreateContext(new TenantContext());
        return await db.Database.ExecuteSqlRawAsync(sql, Ct);
    }
}
