namespace Portal.Domain.Chat;

/// <summary>One person's exchange with a model, inside a workspace of their tenant.</summary>
public sealed class Conversation : ITenantOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid TenantId { get; set; }

    public Guid WorkspaceId { get; set; }

    public Guid OwnerUserId { get; set; }

    public required string Title { get; set; }

    public Guid? ModelEntryId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Under legal hold, retention never deletes the conversation (set by a tenant admin or auditor).</summary>
    public bool LegalHold { get; set; }

    public Guid? LegalHoldSetByUserId { get; set; }

    public DateTimeOffset? LegalHoldSetAt { get; set; }

    public List<Message> Messages { get; set; } = [];
}
