namespace Portal.Web.Chat;

/// <summary>A reservation of quota for one generation, settled with what it really used.</summary>
public sealed record QuotaTicket(Guid TenantId, Guid UserId, Guid ModelEntryId, int ReservedTokens);

/// <summary>
/// The pipeline's quota stage: reserve before generation, settle after. Empty until the accounting
/// issue fills it: <see cref="ReserveAsync"/> is where a request over its quota is refused (throw a
/// <see cref="ChatRequestException"/> that says when the quota resets), and <see cref="SettleAsync"/>
/// is where the reservation is replaced by the tokens really produced.
/// </summary>
public sealed class QuotaReservation
{
    public Task<QuotaTicket> ReserveAsync(ChatCaller caller, Guid modelEntryId, int maxTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return Task.FromResult(new QuotaTicket(caller.TenantId, caller.UserId, modelEntryId, maxTokens));
    }

    public Task SettleAsync(QuotaTicket ticket, int promptTokens, int completionTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        return Task.CompletedTask;
    }
}
