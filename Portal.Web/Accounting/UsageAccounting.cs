using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Data;
using Portal.Domain.Usage;

namespace Portal.Web.Accounting;

/// <summary>
/// Writes usage records with their quota settlement and their day's rollup in one transaction:
/// the record, the corrected quota and the report's sums change together or not at all.
/// </summary>
public sealed class UsageAccounting(IServiceScopeFactory scopes, QuotaLedger ledger)
{
    /// <summary>
    /// Begins the transaction on <paramref name="db"/> in which <paramref name="record"/> (already added to
    /// <paramref name="db"/>) is saved: settles <paramref name="ticket"/> (when the request held one) and
    /// adds the record to its day's rollup. The caller saves its changes and commits.
    /// </summary>
    public async Task<IDbContextTransaction> BeginSettlementAsync(PortalDbContext db, QuotaTicket? ticket, UsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(record);
        record.WorkspaceId ??= await db.Conversations.Where(c => c.Id == record.ConversationId).Select(c => (Guid?)c.WorkspaceId).FirstOrDefaultAsync(cancellationToken);
        var day = await EnsureRollupAsync(record, cancellationToken);
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            if (ticket is not null)
            {
                await ledger.SettleAsync(db, ticket, QuotaTokens(record), cancellationToken);
            }

            await AddToRollupAsync(db, record, day, cancellationToken);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// What an answer draws from the quota: its prompt and completion tokens, a failed answer's too (a worker
    /// that died mid-answer still produced what was streamed and kept), except a failed answer that produced no
    /// token at all (it died or was refused before the first), which draws nothing.
    /// </summary>
    public static long QuotaTokens(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Outcome == GenerationOutcome.Failed && record.CompletionTokens == 0 ? 0 : (long)record.PromptTokens + record.CompletionTokens;
    }

    /// <summary>Saves a record that travels with nothing else (a refusal by quota), with its rollup.</summary>
    public async Task RecordAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(record.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        db.UsageRecords.Add(record);
        await using var transaction = await BeginSettlementAsync(db, null, record, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Creates the rollup rows of the record's day if missing (its sums, and for an answer its two speed
    /// buckets), each in a save of its own before the transaction.
    /// </summary>
    private async Task<DateOnly> EnsureRollupAsync(UsageRecord record, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(record.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var clock = await QuotaLedger.ClockAsync(db, record.CreatedAt, cancellationToken);
        var day = clock.DayOf(record.CreatedAt);
        await EnsureAsync(db, Row(db, record, day), () => new UsageDailyRollup
        {
            TenantId = record.TenantId,
            Day = day,
            UserId = record.UserId,
            ModelEntryId = record.ModelEntryId,
            WorkspaceKey = record.WorkspaceId ?? Guid.Empty,
            Node = record.Node,
        }, cancellationToken);
        if (SpeedHistogram.Counts(record))
        {
            foreach (var measure in Enum.GetValues<SpeedMeasure>())
            {
                var bucket = SpeedHistogram.BucketOf(SpeedHistogram.ValueOf(record, measure));
                await EnsureAsync(db, SpeedRow(db, record, day, measure, bucket), () => new UsageSpeedRollup
                {
                    TenantId = record.TenantId,
                    Day = day,
                    ModelEntryId = record.ModelEntryId,
                    Measure = measure,
                    Bucket = bucket,
                }, cancellationToken);
            }
        }

        return day;
    }

    private static async Task EnsureAsync<TRow>(PortalDbContext db, IQueryable<TRow> existing, Func<TRow> create, CancellationToken cancellationToken)
        where TRow : class
    {
        if (await existing.AnyAsync(cancellationToken))
        {
            return;
        }

        db.Add(create());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Created by a record saved at the same moment; the unique index kept one.
            db.ChangeTracker.Clear();
        }
    }

    private static async Task AddToRollupAsync(PortalDbContext db, UsageRecord record, DateOnly day, CancellationToken cancellationToken)
    {
        var completed = record.Outcome is GenerationOutcome.Completed or GenerationOutcome.Length ? 1 : 0;
        var stopped = record.Outcome == GenerationOutcome.Stopped ? 1 : 0;
        var failed = record.Outcome == GenerationOutcome.Failed ? 1 : 0;
        var refusedByPolicy = record.Outcome == GenerationOutcome.Refused ? 1 : 0;
        var refusedByQuota = record.Outcome == GenerationOutcome.RefusedByQuota ? 1 : 0;
        long prompt = record.PromptTokens, completion = record.CompletionTokens, busy = record.Duration.Ticks;
        await Row(db, record, day).ExecuteUpdateAsync(
            s => s
                .SetProperty(r => r.Requests, r => r.Requests + 1)
                .SetProperty(r => r.Completed, r => r.Completed + completed)
                .SetProperty(r => r.Stopped, r => r.Stopped + stopped)
                .SetProperty(r => r.Failed, r => r.Failed + failed)
                .SetProperty(r => r.RefusedByPolicy, r => r.RefusedByPolicy + refusedByPolicy)
                .SetProperty(r => r.RefusedByQuota, r => r.RefusedByQuota + refusedByQuota)
                .SetProperty(r => r.PromptTokens, r => r.PromptTokens + prompt)
                .SetProperty(r => r.CompletionTokens, r => r.CompletionTokens + completion)
                .SetProperty(r => r.BusyTicks, r => r.BusyTicks + busy),
            cancellationToken);
        if (SpeedHistogram.Counts(record))
        {
            foreach (var measure in Enum.GetValues<SpeedMeasure>())
            {
                var bucket = SpeedHistogram.BucketOf(SpeedHistogram.ValueOf(record, measure));
                await SpeedRow(db, record, day, measure, bucket).ExecuteUpdateAsync(s => s.SetProperty(r => r.Answers, r => r.Answers + 1), cancellationToken);
            }
        }
    }

    private static IQueryable<UsageDailyRollup> Row(PortalDbContext db, UsageRecord record, DateOnly day)
    {
        var workspace = record.WorkspaceId ?? Guid.Empty;
        return db.UsageDailyRollups.Where(r => r.Day == day && r.UserId == record.UserId && r.ModelEntryId == record.ModelEntryId && r.WorkspaceKey == workspace && r.Node == record.Node);
    }

    private static IQueryable<UsageSpeedRollup> SpeedRow(PortalDbContext db, UsageRecord record, DateOnly day, SpeedMeasure measure, int bucket) =>
        db.UsageSpeedRollups.Where(r => r.Day == day && r.ModelEntryId == record.ModelEntryId && r.Measure == measure && r.Bucket == bucket);
}
