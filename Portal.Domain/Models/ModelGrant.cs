namespace Portal.Domain.Models;

/// <summary>Allows one tenant to use one model.</summary>
public sealed class ModelGrant : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public Guid ModelEntryId { get; set; }

    public ModelEntry? ModelEntry { get; set; }

    public DateTimeOffset GrantedAt { get; set; }
}
