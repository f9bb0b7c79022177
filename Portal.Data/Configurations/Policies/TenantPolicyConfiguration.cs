using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Conventions;
using Portal.Domain.Policies;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Policies;

internal sealed class TenantPolicyConfiguration : IEntityTypeConfiguration<TenantPolicy>
{
    public void Configure(EntityTypeBuilder<TenantPolicy> builder)
    {
        builder.ToTable("TenantPolicies");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(200);
        builder.Property(p => p.InputBlocklist).HasConversion(StringListConversion.Converter, StringListConversion.Comparer);
        builder.Property(p => p.OutputBlocklist).HasConversion(StringListConversion.Converter, StringListConversion.Comparer);

        // One row per version; a change writes the next version, never overwrites one.
        builder.HasIndex(p => new { p.TenantId, p.Version }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
