using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class UsageMonthlySpeedRollupConfiguration : IEntityTypeConfiguration<UsageMonthlySpeedRollup>
{
    public void Configure(EntityTypeBuilder<UsageMonthlySpeedRollup> builder)
    {
        builder.ToTable("UsageMonthlySpeedRollups");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.TenantId, r.Month, r.ModelEntryId, r.Measure, r.Bucket }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
