using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class UsageSpeedRollupConfiguration : IEntityTypeConfiguration<UsageSpeedRollup>
{
    public void Configure(EntityTypeBuilder<UsageSpeedRollup> builder)
    {
        builder.ToTable("UsageSpeedRollups");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.TenantId, r.Day, r.ModelEntryId, r.Measure, r.Bucket }).IsUnique();

        // Every tenant's report reads the days at a period's edges (outside its whole months) as one range of days.
        builder.HasIndex(r => r.Day);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
