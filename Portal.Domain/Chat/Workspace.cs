namespace Portal.Domain.Chat;

/// <summary>A place inside a tenant where conversations are kept together (a team, a project).</summary>
public sealed class Workspace : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public required string Name { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
