using Portal.Data;
using Portal.Domain.Chat;
using Portal.Domain.Tenants;

namespace Portal.Tests.Data.Infrastructure;

/// <summary>A tenant with one member, one workspace and one conversation with a message, saved for a test.</summary>
public sealed record SeededTenant(Tenant Tenant, User Owner, Workspace Workspace, Conversation Conversation)
{
    public Guid Id => Tenant.Id;

    /// <summary>Saves a fresh tenant (unique slug) through the platform scope, as a platform admin would.</summary>
    public static async Task<SeededTenant> CreateAsync(TestDatabase database, string name)
    {
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var tenant = new Tenant { Name = name, Slug = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}", CreatedAt = now };
        var owner = new User { DisplayName = $"{name} owner", Email = $"owner@{tenant.Slug}.test", CreatedAt = now };
        var membership = new Membership { TenantId = tenant.Id, UserId = owner.Id, Roles = TenantRoles.Member, CreatedAt = now };
        var workspace = new Workspace { TenantId = tenant.Id, Name = "General", CreatedAt = now };
        var conversation = new Conversation
        {
            TenantId = tenant.Id,
            WorkspaceId = workspace.Id,
            OwnerUserId = owner.Id,
            Title = $"{name} secret plans",
            CreatedAt = now,
            UpdatedAt = now,
        };
        conversation.Messages.Add(new Message
        {
            TenantId = tenant.Id,
            ConversationId = conversation.Id,
            Role = MessageRole.User,
            Content = $"{name} confidential",
            CreatedAt = now,
        });

        var tenantContext = new TenantContext();
        await using var db = database.CreateContext(tenantContext);
        using (tenantContext.BeginPlatformScope())
        {
            db.AddRange(tenant, owner, membership, workspace, conversation);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        return new SeededTenant(tenant, owner, workspace, conversation);
    }
}
