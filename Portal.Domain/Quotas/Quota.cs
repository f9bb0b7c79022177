namespace Portal.Domain.Quotas;

/// <summary>
/// Limits for a tenant as a whole (<see cref="UserId"/> null) or for one person in it.
/// A null limit means "no limit of this kind".
/// </summary>
public sealed class Quota : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public Guid? UserId { get; set; }

    public long? TokensPerDay { get; set; }

    public long? TokensPerMonth { get; set; }

    public int? RequestsPerMinute { get; set; }

    public int? ConcurrentGenerations { get; set; }

    /// <summary>
    /// On the tenant's row only: the IANA time zone whose midnights start its quota days and months
    /// (and its report days); null means UTC.
    /// </summary>
    public string? TimeZoneId { get; set; }
}
