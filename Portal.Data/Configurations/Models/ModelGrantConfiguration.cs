using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Models;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Models;

internal sealed class ModelGrantConfiguration : IEntityTypeConfiguration<ModelGrant>
{
    public void Configure(EntityTypeBuilder<ModelGrant> builder)
    {
        builder.ToTable("ModelGrants");
        builder.HasKey(g => g.Id);
        builder.HasIndex(g => new { g.TenantId, g.ModelEntryId }).IsUnique();
        builder.HasOne(g => g.ModelEntry).WithMany().HasForeignKey(g => g.ModelEntryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(g => g.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
