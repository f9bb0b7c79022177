using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Audit;

namespace Portal.Web.Audit;

/// <summary>
/// Reads the audit log for the Audit page and its export: newest first, narrowed by an
/// <see cref="AuditFilter"/>, always held to what the reader's <see cref="AuditAccess"/> allows.
/// Pages by keyset on (OccurredAt, Id), which the indexes on AuditEvents end in, so the thousandth
/// page costs what the first does.
/// </summary>
public sealed class AuditSearch(PortalDbContext db, ITenantContext tenantContext)
{
    private const int MaxActorMatches = 100;

    public async Task<AuditPage> PageAsync(AuditAccess access, AuditFilter filter, AuditCursor? after, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var query = await QueryAsync(access, filter, cancellationToken);
        if (after is { } cursor)
        {
            query = query.Where(e => e.OccurredAt < cursor.OccurredAt || (e.OccurredAt == cursor.OccurredAt && e.Id < cursor.Id));
        }

        // One more than asked tells whether there is a next page without counting.
        var rows = await Newest(query).Take(pageSize + 1).ToListAsync(cancellationToken);
        var shown = rows.Take(pageSize).ToList();
        var next = rows.Count > pageSize ? new AuditCursor(shown[^1].OccurredAt, shown[^1].Id) : null;
        return new AuditPage(await DescribeAsync(shown, cancellationToken), next);
    }

    /// <summary>Every entry the filter matches, in pages, for the CSV export.</summary>
    public async IAsyncEnumerable<AuditRow> ExportAsync(
        AuditAccess access, AuditFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        AuditCursor? after = null;
        do
        {
            var page = await PageAsync(access, filter, after, 1000, cancellationToken);
            foreach (var row in page.Rows)
            {
                yield return row;
            }

            after = page.Next;
            db.ChangeTracker.Clear();
        }
        while (after is not null);
    }

    /// <summary>The tenants a platform administrator may pick on the page, by name.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Name)>> TenantsAsync(AuditAccess access, CancellationToken cancellationToken)
    {
        using var platform = tenantContext.BeginPlatformScope();
        var tenants = db.Tenants.AsNoTracking();
        if (!access.AllTenants)
        {
            tenants = tenants.Where(t => t.Id == access.TenantId);
        }

        var list = await tenants.Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken);
        return list.Select(t => (t.Id, t.Name)).OrderBy(t => t.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
    }

    private static IQueryable<AuditEvent> Newest(IQueryable<AuditEvent> query) =>
        query.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id);

    private async Task<IQueryable<AuditEvent>> QueryAsync(AuditAccess access, AuditFilter filter, CancellationToken cancellationToken)
    {
        var query = db.AuditEvents.AsNoTracking();

        // The reader's scope first: a tenant's reader never gets past this line with another chain.
        if (!access.AllTenants)
        {
            var own = access.TenantId ?? throw new InvalidOperationException("A tenant reader has no tenant.");
            query = query.Where(e => e.TenantId == own);
        }
        else if (filter.Chain is AuditFilter.PlatformChain)
        {
            query = query.Where(e => e.TenantId == null);
        }
        else if (filter.Chain is { } chain)
        {
            var tenantId = Guid.TryParse(chain, out var id) ? id : throw new FormatException($"'{chain}' is not a tenant id.");
            query = query.Where(e => e.TenantId == tenantId);
        }

        if (filter.From is { } from)
        {
            query = query.Where(e => e.OccurredAt >= from);
        }

        if (filter.To is { } to)
        {
            query = query.Where(e => e.OccurredAt < to);
        }

        if (filter.Action is { } action)
        {
            query = action.EndsWith('*')
                ? query.Where(e => e.Action.StartsWith(action.TrimEnd('*')))
                : query.Where(e => e.Action == action);
        }

        if (filter.Target is { } target)
        {
            query = query.Where(e => e.Target != null && e.Target.StartsWith(target));
        }

        if (filter.Actor is { } actor)
        {
            var actorIds = await MatchActorsAsync(actor, cancellationToken);
            query = query.Where(e => e.ActorUserId != null && actorIds.Contains(e.ActorUserId.Value));
        }

        return query;
    }

    /// <summary>People whose e-mail or name contains <paramref name="text"/>, or whose id it is.</summary>
    private async Task<List<Guid>> MatchActorsAsync(string text, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(text, out var id))
        {
            return [id];
        }

        var lowered = text.ToLowerInvariant();

        // ToLower() in the query, not a StringComparison: EF Core translates it on every provider.
#pragma warning disable CA1862
        return await db.PortalUsers.AsNoTracking()
            .Where(u => (u.Email != null && u.Email.ToLower().Contains(lowered)) || u.DisplayName.ToLower().Contains(lowered))
            .Select(u => u.Id)
            .Take(MaxActorMatches)
            .ToListAsync(cancellationToken);
#pragma warning restore CA1862
    }

    /// <summary>Adds the names of the people and tenants the rows mention.</summary>
    private async Task<IReadOnlyList<AuditRow>> DescribeAsync(List<AuditEvent> rows, CancellationToken cancellationToken)
    {
        var actorIds = rows.Where(r => r.ActorUserId is not null).Select(r => r.ActorUserId!.Value).Distinct().ToList();
        var tenantIds = rows.Where(r => r.TenantId is not null).Select(r => r.TenantId!.Value).Distinct().ToList();
        var actors = await db.PortalUsers.AsNoTracking()
            .Where(u => actorIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.DisplayName, cancellationToken);
        Dictionary<Guid, string> tenants;
        using (tenantContext.BeginPlatformScope())
        {
            tenants = await db.Tenants.AsNoTracking()
                .Where(t => tenantIds.Contains(t.Id))
                .ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        }

        return rows.Select(r => new AuditRow(
            r,
            r.ActorUserId is { } actor ? actors.GetValueOrDefault(actor) : null,
            r.TenantId is { } tenant ? tenants.GetValueOrDefault(tenant) : null)).ToList();
    }
}

/// <summary>Where a page ended: the next page starts after this entry.</summary>
public sealed record AuditCursor(DateTimeOffset OccurredAt, long Id);

public sealed record AuditPage(IReadOnlyList<AuditRow> Rows, AuditCursor? Next);

/// <summary>An entry with the names of its actor and tenant, as far as they are known.</summary>
public sealed record AuditRow(AuditEvent Entry, string? ActorName, string? TenantName);
