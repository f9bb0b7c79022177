using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class UsageDailyRollupConfiguration : IEntityTypeConfiguration<UsageDailyRollup>
{
    public void Configure(EntityTypeBuilder<UsageDailyRollup> builder)
    {
        builder.ToTable("UsageDailyRollups");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.TenantId, r.Day, r.UserId, r.ModelEntryId, r.WorkspaceKey, r.Node }).IsUnique();

        // Every tenant's report reads the days at a period's edges (outside its whole months) as one range of days.
        builder.HasIndex(r => r.Day);

        // Rows that existed before nodes were told apart all ran on the in-process engine.
        builder.Property(r => r.Node).HasMaxLength(UsageRecord.MaxNodeLength).HasDefaultValue(UsageRecord.LocalNode);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
