using System.Linq.Expressions;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Usage;
using Portal.Web.Identity;

namespace Portal.Web.Accounting;

/// <summary>Whose usage a report may show: one tenant (a manager's own), or every tenant (platform admins only).</summary>
public sealed record ReportScope(Guid? TenantId)
{
    /// <summary>
    /// The caller's scope: a platform admin may ask for all tenants (<paramref name="allTenants"/>);
    /// anyone else gets their active tenant, or null when they have none or are no manager.
    /// </summary>
    public static ReportScope? For(ClaimsPrincipal user, bool allTenants)
    {
        if (PortalPrincipal.Read(user) is not { } session)
        {
            return null;
        }

        if (session.IsPlatformAdmin && (allTenants || session.Tenant is null))
        {
            return new ReportScope((Guid?)null);
        }

        return session.Tenant is { } tenant && (session.IsPlatformAdmin || tenant.Roles.HasFlag(Portal.Domain.Tenants.TenantRoles.Manager))
            ? new ReportScope(tenant.Id)
            : null;
    }
}

/// <summary>
/// Usage reports for a period of whole days, from the rollups (so a year is fast): days, models, workspaces,
/// tenants and rates from the daily totals (no person in their key), people from the monthly per-person rows
/// for the period's whole months and the daily per-person rows for its edge days, medians of time to first
/// token and speed per model from the monthly and (at the edges) daily speed histograms. Held to one tenant
/// unless the scope is every tenant.
/// </summary>
public sealed class UsageReports(PortalDbContext db, ITenantContext tenantContext)
{
    public async Task<UsageReport> BuildAsync(ReportScope scope, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (to < from)
        {
            throw new ArgumentException("The period ends before it starts.", nameof(to));
        }

        if (scope.TenantId is { } tenantId)
        {
            tenantContext.SetTenant(tenantId);
        }

        using var platform = scope.TenantId is null ? tenantContext.BeginPlatformScope() : null;
        var period = ReportPeriod.Of(from, to);
        var totals = db.UsageDailyTotals.AsNoTracking().Where(r => r.Day >= from && r.Day <= to);
        var costs = await HardwareCosts.LoadAsync(db, cancellationToken);
        var byDayAndTenant = await SumAsync(totals, r => new GroupKey<DateOnly> { Key = r.Day, TenantId = r.TenantId, Node = r.Node }, cancellationToken);
        var byModel = Price(await SumAsync(totals, r => new GroupKey<Guid> { Key = r.ModelEntryId, TenantId = r.TenantId, Node = r.Node }, cancellationToken), s => s.Key, costs);
        var byWorkspace = Price(await SumAsync(totals, r => new GroupKey<Guid> { Key = r.WorkspaceKey, TenantId = r.TenantId, Node = r.Node }, cancellationToken), s => s.Key, costs);

        // People: whole months from the monthly rows, the edge days from the daily ones; distinct (tenant, person) over both is exact.
        var personRows = new List<NodeSums<Guid>>();
        if (period.FirstMonth is { } firstMonth && period.LastMonth is { } lastMonth)
        {
            personRows.AddRange(await SumAsync(
                db.UsageMonthlyPersonRollups.AsNoTracking().Where(r => r.Month >= firstMonth && r.Month <= lastMonth),
                r => new GroupKey<Guid> { Key = r.UserId, TenantId = r.TenantId, Node = r.Node },
                cancellationToken));
        }

        foreach (var (edgeFrom, edgeTo) in period.EdgeRanges)
        {
            personRows.AddRange(await SumAsync(
                db.UsageDailyRollups.AsNoTracking().Where(r => r.Day >= edgeFrom && r.Day <= edgeTo),
                r => new GroupKey<Guid> { Key = r.UserId, TenantId = r.TenantId, Node = r.Node },
                cancellationToken));
        }

        var byDay = Price(byDayAndTenant, s => s.Key, costs);
        var byPerson = Price(personRows, s => s.Key, costs);
        var byTenant = scope.TenantId is null ? Price(byDayAndTenant, s => s.TenantId, costs) : [];
        var activePeople = personRows.Where(r => r.Requests > 0).Select(r => (r.TenantId, r.Key)).Distinct().Count();

        var currency = await CurrencyAsync(cancellationToken);
        var prices = await db.CloudPrices.AsNoTracking().OrderByDescending(p => p.OutputPerMillionTokens).ToListAsync(cancellationToken);
        var names = await NamesAsync(byPerson.Select(s => s.Key), byModel.Select(s => s.Key), byWorkspace.Select(s => s.Key), byTenant.Select(s => s.Key), cancellationToken);
        var speeds = await SpeedsAsync(period, cancellationToken);

        ReportRow Row<TKey>(Sums<TKey> s, string label) => new(label, s.Requests, s.PromptTokens, s.CompletionTokens, s.RefusedByPolicy + s.RefusedByQuota, s.Failed,
            Math.Round(s.Cost, 4), [.. prices.Select(p => Math.Round(CostModel.Cloud(p, s.PromptTokens, s.CompletionTokens), 4))]);
        var total = new Sums<string>("Total", byDay.Sum(s => s.Requests), byDay.Sum(s => s.PromptTokens), byDay.Sum(s => s.CompletionTokens), byDay.Sum(s => s.Failed),
            byDay.Sum(s => s.RefusedByPolicy), byDay.Sum(s => s.RefusedByQuota), byDay.Sum(s => s.BusyTicks), byDay.Sum(s => s.Cost));
        string Name(Guid id, string unknown) => names.TryGetValue(id, out var name) ? name : unknown;
        return new UsageReport(
            from,
            to,
            currency,
            [.. prices.Select(p => p.Name)],
            Row(total, "Total"),
            activePeople,
            [.. byDay.OrderBy(s => s.Key).Select(s => Row(s, s.Key.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))],
            [.. byPerson.Select(s => Row(s, Name(s.Key, "(removed person)"))).OrderByDescending(r => r.Tokens).ThenBy(r => r.Label, StringComparer.Ordinal)],
            [.. byModel.Select(s => Row(s, Name(s.Key, "(removed model)"))).OrderByDescending(r => r.Tokens).ThenBy(r => r.Label, StringComparer.Ordinal)],
            [.. byWorkspace.Select(s => Row(s, s.Key == Guid.Empty ? "(no workspace)" : Name(s.Key, "(removed workspace)"))).OrderByDescending(r => r.Tokens).ThenBy(r => r.Label, StringComparer.Ordinal)],
            [.. byTenant.Select(s => Row(s, Name(s.Key, "(removed tenant)"))).OrderByDescending(r => r.Tokens).ThenBy(r => r.Label, StringComparer.Ordinal)],
            [.. speeds.Select(s => s with { Model = Name(s.ModelEntryId, "(removed model)") }).OrderBy(s => s.Model, StringComparer.Ordinal)]);
    }

    /// <summary>
    /// Sums rollup rows per key, tenant and node in the database (a tenant's or a node's rows never mix, so
    /// the tenant table and the hardware prices come from the same rows).
    /// </summary>
    private static Task<List<NodeSums<TKey>>> SumAsync<TRow, TKey>(IQueryable<TRow> rows, Expression<Func<TRow, GroupKey<TKey>>> key, CancellationToken cancellationToken)
        where TRow : UsageSums
        where TKey : notnull =>
        rows.GroupBy(key).Select(g => new NodeSums<TKey>
        {
            Key = g.Key.Key,
            TenantId = g.Key.TenantId,
            Node = g.Key.Node,
            Requests = g.Sum(r => r.Requests),
            PromptTokens = g.Sum(r => r.PromptTokens),
            CompletionTokens = g.Sum(r => r.CompletionTokens),
            Failed = g.Sum(r => r.Failed),
            RefusedByPolicy = g.Sum(r => r.RefusedByPolicy),
            RefusedByQuota = g.Sum(r => r.RefusedByQuota),
            BusyTicks = g.Sum(r => r.BusyTicks),
        }).ToListAsync(cancellationToken);

    /// <summary>Adds up the rows per report key, pricing each node's busy time (summed over the key's rows) with its hardware profile.</summary>
    private static List<Sums<TKey>> Price<TSource, TKey>(IEnumerable<NodeSums<TSource>> rows, Func<NodeSums<TSource>, TKey> keyOf, HardwareCosts costs)
        where TKey : notnull =>
        [.. rows.GroupBy(keyOf).Select(g => new Sums<TKey>(
            g.Key,
            g.Sum(s => s.Requests),
            g.Sum(s => s.PromptTokens),
            g.Sum(s => s.CompletionTokens),
            g.Sum(s => s.Failed),
            g.Sum(s => s.RefusedByPolicy),
            g.Sum(s => s.RefusedByQuota),
            g.Sum(s => s.BusyTicks),
            g.GroupBy(s => s.Node, StringComparer.Ordinal).Sum(node => costs.Of(node.Key, TimeSpan.FromTicks(node.Sum(s => s.BusyTicks))))))];

    /// <summary>The platform's currency (USD until a platform admin sets another).</summary>
    private async Task<string> CurrencyAsync(CancellationToken cancellationToken) =>
        await db.CostSettings.AsNoTracking().OrderBy(c => c.Id).Select(c => c.Currency).FirstOrDefaultAsync(cancellationToken) ?? "USD";

    private async Task<Dictionary<Guid, string>> NamesAsync(IEnumerable<Guid> people, IEnumerable<Guid> models, IEnumerable<Guid> workspaces, IEnumerable<Guid> tenants, CancellationToken cancellationToken)
    {
        var names = new Dictionary<Guid, string>();
        var personIds = people.ToList();
        var modelIds = models.ToList();
        var workspaceIds = workspaces.ToList();
        var tenantIds = tenants.ToList();
        foreach (var u in await db.PortalUsers.AsNoTracking().Where(u => personIds.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName }).ToListAsync(cancellationToken))
        {
            names[u.Id] = u.DisplayName;
        }

        foreach (var m in await db.ModelEntries.AsNoTracking().Where(m => modelIds.Contains(m.Id)).Select(m => new { m.Id, m.Name }).ToListAsync(cancellationToken))
        {
            names[m.Id] = m.Name;
        }

        foreach (var w in await db.Workspaces.AsNoTracking().Where(w => workspaceIds.Contains(w.Id)).Select(w => new { w.Id, w.Name }).ToListAsync(cancellationToken))
        {
            names[w.Id] = w.Name;
        }

        foreach (var t in await db.Tenants.AsNoTracking().Where(t => tenantIds.Contains(t.Id)).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken))
        {
            names[t.Id] = t.Name;
        }

        return names;
    }

    /// <summary>
    /// Median time to first token and speed per model, over the answers of the period that produced tokens,
    /// from the daily speed histograms (within 2.5 % of the exact medians, see <see cref="SpeedHistogram"/>).
    /// </summary>
    private async Task<List<ModelSpeed>> SpeedsAsync(ReportPeriod period, CancellationToken cancellationToken)
    {
        var counted = new List<SpeedCount>();
        if (period.FirstMonth is { } firstMonth && period.LastMonth is { } lastMonth)
        {
            counted.AddRange(await db.UsageMonthlySpeedRollups.AsNoTracking()
                .Where(r => r.Month >= firstMonth && r.Month <= lastMonth)
                .GroupBy(r => new { r.ModelEntryId, r.Measure, r.Bucket })
                .Select(g => new SpeedCount(g.Key.ModelEntryId, g.Key.Measure, g.Key.Bucket, g.Sum(r => r.Answers)))
                .ToListAsync(cancellationToken));
        }

        foreach (var (edgeFrom, edgeTo) in period.EdgeRanges)
        {
            counted.AddRange(await db.UsageSpeedRollups.AsNoTracking()
                .Where(r => r.Day >= edgeFrom && r.Day <= edgeTo)
                .GroupBy(r => new { r.ModelEntryId, r.Measure, r.Bucket })
                .Select(g => new SpeedCount(g.Key.ModelEntryId, g.Key.Measure, g.Key.Bucket, g.Sum(r => r.Answers)))
                .ToListAsync(cancellationToken));
        }

        var buckets = counted.GroupBy(c => (c.ModelEntryId, c.Measure, c.Bucket)).Select(g => new SpeedCount(g.Key.ModelEntryId, g.Key.Measure, g.Key.Bucket, g.Sum(c => c.Answers)));
        return [.. buckets.GroupBy(b => b.ModelEntryId).Select(model =>
        {
            List<(int, long)> Of(SpeedMeasure measure) => [.. model.Where(b => b.Measure == measure).Select(b => (b.Bucket, b.Answers))];
            var firstToken = Of(SpeedMeasure.TimeToFirstTokenMs);
            return new ModelSpeed(
                model.Key, "", (int)firstToken.Sum(b => b.Item2),
                Math.Round(SpeedHistogram.Median(firstToken), 1),
                Math.Round(SpeedHistogram.Median(Of(SpeedMeasure.TokensPerSecond)), 1));
        })];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>A rollup group: the report's key, the tenant and the node (whose hardware profile prices the busy time).</summary>
    private sealed class GroupKey<TKey>
    {
        public required TKey Key { get; init; }

        public required Guid TenantId { get; init; }

        public required string Node { get; init; }
    }

    /// <summary>A group's sums as the database returns them.</summary>
    private sealed class NodeSums<TKey>
    {
        public required TKey Key { get; init; }

        public required Guid TenantId { get; init; }

        public required string Node { get; init; }

        public long Requests { get; init; }

        public long PromptTokens { get; init; }

        public long CompletionTokens { get; init; }

        public long Failed { get; init; }

        public long RefusedByPolicy { get; init; }

        public long RefusedByQuota { get; init; }

        public long BusyTicks { get; init; }
    }

    private sealed record SpeedCount(Guid ModelEntryId, SpeedMeasure Measure, int Bucket, long Answers);

    private sealed record Sums<TKey>(TKey Key, long Requests, long PromptTokens, long CompletionTokens, long Failed, long RefusedByPolicy, long RefusedByQuota, long BusyTicks, decimal Cost);
}

/// <summary>One line of a report table: the figures of a day, person, model, workspace or tenant.</summary>
public sealed record ReportRow(string Label, long Requests, long PromptTokens, long CompletionTokens, long Refused, long Failed, decimal OnPremCost, IReadOnlyList<decimal> CloudCosts)
{
    public long Tokens => PromptTokens + CompletionTokens;

    public double RefusalRate => Requests == 0 ? 0 : Math.Round((double)Refused / Requests, 4);

    public double FailureRate => Requests == 0 ? 0 : Math.Round((double)Failed / Requests, 4);
}

public sealed record ModelSpeed(Guid ModelEntryId, string Model, int Answers, double MedianTimeToFirstTokenMs, double MedianTokensPerSecond);

public sealed record UsageReport(
    DateOnly From,
    DateOnly To,
    string Currency,
    IReadOnlyList<string> CloudTiers,
    ReportRow Total,
    int ActivePeople,
    IReadOnlyList<ReportRow> ByDay,
    IReadOnlyList<ReportRow> ByPerson,
    IReadOnlyList<ReportRow> ByModel,
    IReadOnlyList<ReportRow> ByWorkspace,
    IReadOnlyList<ReportRow> ByTenant,
    IReadOnlyList<ModelSpeed> Speeds);
