using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class UsageMonthlyPersonRollupConfiguration : IEntityTypeConfiguration<UsageMonthlyPersonRollup>
{
    public void Configure(EntityTypeBuilder<UsageMonthlyPersonRollup> builder)
    {
        builder.ToTable("UsageMonthlyPersonRollups");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.TenantId, r.Month, r.UserId, r.Node }).IsUnique();
        builder.Property(r => r.Node).HasMaxLength(UsageRecord.MaxNodeLength);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(r => r.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
