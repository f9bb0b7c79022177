using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Quotas;
using Portal.Web.Admin;
using Portal.Web.Audit;

namespace Portal.Web.Accounting;

/// <summary>
/// Tenant admins set their tenant's limits and each member's, and see what each member used today and
/// this month. Another tenant's id answers "not found", like one that does not exist. Every change
/// is audited with the limits before and after.
/// </summary>
public sealed class QuotaAdministration(PortalDbContext db, ITenantContext tenantContext, AuditLog audit, TimeProvider time)
{
    public async Task<QuotaOverview> OverviewAsync(AdminActor actor, Guid tenantId, CancellationToken cancellationToken)
    {
        await RequireAccessAsync(actor, tenantId, cancellationToken);
        tenantContext.SetTenant(tenantId);
        var quotas = await db.Quotas.AsNoTracking().ToListAsync(cancellationToken);
        var clock = await QuotaLedger.ClockAsync(db, time.GetUtcNow(), cancellationToken);
        var counters = await db.QuotaCounters.AsNoTracking()
            .Where(c => c.Window == clock.DayWindow || c.Window == clock.MonthWindow)
            .ToListAsync(cancellationToken);
        List<(Guid UserId, string Name)> members;
        using (tenantContext.BeginPlatformScope())
        {
            members = (await db.Memberships.AsNoTracking().Where(m => m.TenantId == tenantId)
                .Select(m => new { m.UserId, m.User!.DisplayName }).ToListAsync(cancellationToken))
                .Select(m => (m.UserId, m.DisplayName)).OrderBy(m => m.DisplayName, StringComparer.CurrentCultureIgnoreCase).ToList();
        }

        long Used(Guid key, string window) => counters.FirstOrDefault(c => c.UserKey == key && c.Window == window)?.Value ?? 0;
        QuotaLimits Limits(Quota? q) => new(q?.TokensPerDay, q?.TokensPerMonth, q?.RequestsPerMinute, q?.ConcurrentGenerations);
        var tenant = quotas.FirstOrDefault(q => q.UserId is null);
        return new QuotaOverview(
            Limits(tenant),
            tenant?.TimeZoneId ?? "UTC",
            Used(Guid.Empty, clock.DayWindow),
            Used(Guid.Empty, clock.MonthWindow),
            [.. members.Select(m => new MemberQuota(m.UserId, m.Name, Limits(quotas.FirstOrDefault(q => q.UserId == m.UserId)), Used(m.UserId, clock.DayWindow), Used(m.UserId, clock.MonthWindow)))]);
    }

    /// <summary>Sets the tenant's limits (<paramref name="userId"/> null, with its time zone) or one member's; null limits mean none.</summary>
    public async Task SetAsync(AdminActor actor, Guid tenantId, Guid? userId, QuotaLimits limits, string? timeZoneId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        await RequireAccessAsync(actor, tenantId, cancellationToken);
        tenantContext.SetTenant(tenantId);
        if (limits.TokensPerDay < 0 || limits.TokensPerMonth < 0 || limits.RequestsPerMinute < 0 || limits.ConcurrentGenerations < 0)
        {
            throw new AdminException(AdminFailure.Invalid, "A limit cannot be negative; leave it empty for no limit.");
        }

        if (userId is null && timeZoneId is { Length: > 0 } && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out _))
        {
            throw new AdminException(AdminFailure.Invalid, $"“{timeZoneId}” is not a time zone this server knows; use an IANA name such as Europe/Berlin.");
        }

        if (userId is { } member)
        {
            using var platform = tenantContext.BeginPlatformScope();
            if (!await db.Memberships.AnyAsync(m => m.TenantId == tenantId && m.UserId == member, cancellationToken))
            {
                throw NotFound();
            }
        }

        var quota = await db.Quotas.FirstOrDefaultAsync(q => q.UserId == userId, cancellationToken);
        var before = quota is null ? null : new { Limits = Snapshot(quota), quota.TimeZoneId };
        if (quota is null)
        {
            quota = new Quota { TenantId = tenantId, UserId = userId };
            db.Quotas.Add(quota);
        }

        (quota.TokensPerDay, quota.TokensPerMonth, quota.RequestsPerMinute, quota.ConcurrentGenerations) =
            (limits.TokensPerDay, limits.TokensPerMonth, limits.RequestsPerMinute, limits.ConcurrentGenerations);
        if (userId is null)
        {
            quota.TimeZoneId = string.IsNullOrWhiteSpace(timeZoneId) ? null : timeZoneId.Trim();
        }

        audit.Add(db, new AuditEntry("quota.changed", actor.UserId, userId is { } u ? $"user:{u}" : $"tenant:{tenantId}", before, new { Limits = Snapshot(quota), quota.TimeZoneId }, tenantId));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static QuotaLimits Snapshot(Quota quota) => new(quota.TokensPerDay, quota.TokensPerMonth, quota.RequestsPerMinute, quota.ConcurrentGenerations);

    private async Task RequireAccessAsync(AdminActor actor, Guid tenantId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.MayAdminister(tenantId))
        {
            return;
        }

        await audit.RecordAsync(db, new AuditEntry("quota.access_refused", actor.UserId, $"tenant:{tenantId}", TenantId: actor.ActiveTenantId), CancellationToken.None);
        throw NotFound();
    }

    private static AdminException NotFound() => new(AdminFailure.NotFound, "That tenant or member does not exist.");
}

/// <summary>Limits of one kind each; null means no limit.</summary>
public sealed record QuotaLimits(long? TokensPerDay, long? TokensPerMonth, int? RequestsPerMinute, int? ConcurrentGenerations);

public sealed record MemberQuota(Guid UserId, string Name, QuotaLimits Limits, long TokensToday, long TokensThisMonth);

public sealed record QuotaOverview(QuotaLimits Tenant, string TimeZoneId, long TokensToday, long TokensThisMonth, IReadOnlyList<MemberQuota> Members);
