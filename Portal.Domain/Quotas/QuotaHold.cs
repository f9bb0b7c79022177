namespace Portal.Domain.Quotas;

/// <summary>
/// Tokens and a running-generation place reserved for one generation until it settles. A hold whose
/// generation never settles (the instance crashed) is released once <see cref="ExpiresAt"/> passes.
/// </summary>
public sealed class QuotaHold : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public long Tokens { get; set; }

    /// <summary>The day and month windows the tokens were charged to (settlement corrects those, not today's).</summary>
    public required string DayWindow { get; set; }

    public required string MonthWindow { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
