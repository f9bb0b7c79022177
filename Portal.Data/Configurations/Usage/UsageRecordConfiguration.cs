using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class UsageRecordConfiguration : IEntityTypeConfiguration<UsageRecord>
{
    public void Configure(EntityTypeBuilder<UsageRecord> builder)
    {
        builder.ToTable("UsageRecords");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Node).HasMaxLength(UsageRecord.MaxNodeLength);
        builder.Property(u => u.Outcome).HasConversion<string>().HasMaxLength(16);

        // Usage outlives the conversation, user and model it names (retention deletes
        // conversations, reports still count them), so only the tenant is a foreign key.
        builder.HasIndex(u => new { u.TenantId, u.CreatedAt });
        builder.HasIndex(u => new { u.TenantId, u.UserId, u.CreatedAt });
        builder.HasIndex(u => u.MessageId); // an answer's figures, found by its message (no foreign key: usage outlives messages)
        builder.HasOne<Tenant>().WithMany().HasForeignKey(u => u.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
