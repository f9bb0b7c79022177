using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Data;
using Portal.Domain.Usage;

namespace Portal.Web.Accounting;

/// <summary>
/// Writes usage records with their quota settlement and their rollups in one transaction (one commit):
/// the record, the corrected quota and the report's sums change together or not at all.
/// </summary>
public sealed class UsageAccounting(IServiceScopeFactory scopes, QuotaLedger ledger)
{
    /// <summary>
    /// Begins the transaction on <paramref name="db"/> in which <paramref name="record"/> (already added to
    /// <paramref name="db"/>) is saved: settles <paramref name="ticket"/> (when the request held one) and
    /// adds the record to its rollups (one upsert command, see <see cref="UsageRollupWriter"/>). The caller saves its changes and commits.
    /// </summary>
    public async Task<IDbContextTransaction> BeginSettlementAsync(PortalDbContext db, QuotaTicket? ticket, UsageRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(record);
        record.WorkspaceId ??= await db.Conversations.Where(c => c.Id == record.ConversationId).Select(c => (Guid?)c.WorkspaceId).FirstOrDefaultAsync(cancellationToken);
        var clock = await QuotaLedger.ClockAsync(db, record.CreatedAt, cancellationToken);
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            if (ticket is not null)
            {
                await ledger.SettleAsync(db, ticket, QuotaTokens(record), cancellationToken);
            }

            await UsageRollupWriter.AddAsync(db, record, clock.DayOf(record.CreatedAt), cancellationToken);
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
}
