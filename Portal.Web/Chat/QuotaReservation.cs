using Microsoft.EntityFrameworkCore.Storage;
using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Usage;
using Portal.Web.Accounting;
using Portal.Web.Operations;

namespace Portal.Web.Chat;

/// <summary>
/// The pipeline's quota stage: reserve before generation (<see cref="QuotaLedger"/>), settle after, in
/// the transaction that writes the usage record. A request over its quota is refused with a
/// <see cref="QuotaExceededException"/> that says which limit and when it resets, and the refusal
/// is recorded as usage with outcome "refused by quota".
/// </summary>
public sealed class QuotaReservation(QuotaLedger ledger, UsageAccounting usage, PortalMetrics metrics, TimeProvider time)
{
    public async Task<QuotaTicket> ReserveAsync(ChatCaller caller, Conversation conversation, int promptTokens, int maxTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(conversation);
        try
        {
            return await ledger.ReserveAsync(caller.TenantId, caller.UserId, promptTokens, maxTokens, cancellationToken);
        }
        catch (QuotaExceededException refused)
        {
            metrics.QuotaRefused(refused.Limit, conversation.ModelEntryId);
            await usage.RecordAsync(
                new UsageRecord
                {
                    TenantId = caller.TenantId,
                    UserId = caller.UserId,
                    ModelEntryId = conversation.ModelEntryId ?? Guid.Empty,
                    ConversationId = conversation.Id,
                    WorkspaceId = conversation.WorkspaceId,
                    Outcome = GenerationOutcome.RefusedByQuota,
                    CreatedAt = time.GetUtcNow(),
                },
                CancellationToken.None);
            throw;
        }
    }

    /// <summary>Grows <paramref name="ticket"/> for one more pass of the same answer (see <see cref="QuotaLedger.ExtendAsync"/>).</summary>
    public Task<(QuotaTicket Ticket, int MaxOutputTokens)> ExtendAsync(QuotaTicket ticket, long usedTokens, int promptTokens, int maxOutputTokens, CancellationToken cancellationToken) =>
        ledger.ExtendAsync(ticket, usedTokens, promptTokens, maxOutputTokens, cancellationToken);

    /// <summary>Gives the reservation back whole: the generation never ran.</summary>
    public Task ReleaseAsync(QuotaTicket ticket) => ledger.ReleaseAsync(ticket, CancellationToken.None);

    /// <summary>Begins the transaction that settles <paramref name="ticket"/> with <paramref name="record"/>'s tokens; the caller saves and commits.</summary>
    public Task<IDbContextTransaction> BeginSettlementAsync(PortalDbContext db, QuotaTicket? ticket, UsageRecord record) =>
        usage.BeginSettlementAsync(db, ticket, record, CancellationToken.None);
}
