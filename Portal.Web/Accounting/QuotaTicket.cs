namespace Portal.Web.Accounting;

/// <summary>
/// A reservation of quota for one generation (<see cref="HoldId"/>), settled with what it really used.
/// <see cref="MaxOutputTokens"/> is the request's maximum output, clamped to what the quota had left.
/// </summary>
public sealed record QuotaTicket(
    Guid HoldId,
    Guid TenantId,
    Guid UserId,
    int PromptTokens,
    int MaxOutputTokens,
    string DayWindow,
    string MonthWindow)
{
    public long ReservedTokens => (long)PromptTokens + MaxOutputTokens;
}
