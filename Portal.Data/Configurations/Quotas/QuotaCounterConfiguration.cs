using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Quotas;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Quotas;

internal sealed class QuotaCounterConfiguration : IEntityTypeConfiguration<QuotaCounter>
{
    public void Configure(EntityTypeBuilder<QuotaCounter> builder)
    {
        builder.ToTable("QuotaCounters");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Window).HasMaxLength(32);

        // One row per tenant, person and window: the row every instance's conditional UPDATE meets.
        builder.HasIndex(c => new { c.TenantId, c.UserKey, c.Window }).IsUnique();
        builder.HasIndex(c => c.EndsAt);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
