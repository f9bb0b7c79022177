using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Chat;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Chat;

internal sealed class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.ToTable("Workspaces");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Name).HasMaxLength(200);
        builder.HasIndex(w => new { w.TenantId, w.Name }).IsUnique();
        builder.HasAlternateKey(w => new { w.TenantId, w.Id }); // target of the conversations' tenant-checked foreign key
        builder.HasOne<Tenant>().WithMany().HasForeignKey(w => w.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
