using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Chat;
using Portal.Domain.Models;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Chat;

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable("Conversations");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Title).HasMaxLength(300);
        builder.HasIndex(c => new { c.TenantId, c.OwnerUserId, c.UpdatedAt });
        builder.HasIndex(c => new { c.TenantId, c.UpdatedAt }); // the retention sweep's range

        // (TenantId, Id) is what children point at, so the database itself refuses a message in
        // one tenant that hangs off another tenant's conversation (and the workspace likewise).
        builder.HasAlternateKey(c => new { c.TenantId, c.Id });

        // Restrict towards Tenant and User: SQL Server refuses a second cascade path to a table,
        // and tenants are suspended, not deleted.
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.OwnerUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Workspace>().WithMany()
            .HasForeignKey(c => new { c.TenantId, c.WorkspaceId })
            .HasPrincipalKey(w => new { w.TenantId, w.Id })
            .OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<ModelEntry>().WithMany().HasForeignKey(c => c.ModelEntryId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(c => c.Messages).WithOne()
            .HasForeignKey(m => new { m.TenantId, m.ConversationId })
            .HasPrincipalKey(c => new { c.TenantId, c.Id })
            .OnDelete(DeleteBehavior.Cascade);
    }
}
