using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Quotas;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Quotas;

internal sealed class QuotaHoldConfiguration : IEntityTypeConfiguration<QuotaHold>
{
    public void Configure(EntityTypeBuilder<QuotaHold> builder)
    {
        builder.ToTable("QuotaHolds");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.DayWindow).HasMaxLength(32);
        builder.Property(h => h.MonthWindow).HasMaxLength(32);
        builder.HasIndex(h => h.ExpiresAt);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(h => h.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
