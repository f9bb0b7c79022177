using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Tenants;

internal sealed class ExternalTenantMappingConfiguration : IEntityTypeConfiguration<ExternalTenantMapping>
{
    public void Configure(EntityTypeBuilder<ExternalTenantMapping> builder)
    {
        builder.ToTable("ExternalTenantMappings");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.ExternalTenantId).HasMaxLength(256);
        builder.Property(m => m.ExternalGroupId).HasMaxLength(256);
        builder.Property(m => m.DefaultRoles).HasConversion<int>();
        builder.HasIndex(m => new { m.ExternalTenantId, m.ExternalGroupId });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(m => m.PortalTenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
