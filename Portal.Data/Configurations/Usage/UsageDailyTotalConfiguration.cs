using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class UsageDailyTotalConfiguration : IEntityTypeConfiguration<UsageDailyTotal>
{
    public void Configure(EntityTypeBuilder<UsageDailyTotal> builder)
    {
        builder.ToTable("UsageDailyTotals");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.TenantId, r.Day, r.ModelEntryId, r.WorkspaceKey, r.Node }).IsUnique();
        builder.Property(r => r.Node).HasMaxLength(UsageRecord.MaxNodeLength);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
