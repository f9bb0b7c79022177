namespace Portal.Domain.Tenants;

/// <summary>An organisation (or part of one) whose people, data and policies are kept apart from every other.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    /// <summary>Short, URL-safe, unique name.</summary>
    public required string Slug { get; set; }

    /// <summary>A suspended tenant's members cannot sign in to it; nothing is deleted.</summary>
    public bool IsSuspended { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
