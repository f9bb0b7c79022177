using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class NodeHardwareProfileConfiguration : IEntityTypeConfiguration<NodeHardwareProfile>
{
    public void Configure(EntityTypeBuilder<NodeHardwareProfile> builder)
    {
        builder.ToTable("NodeHardwareProfiles");
        builder.HasKey(n => n.Node);
        builder.Property(n => n.Node).HasMaxLength(UsageRecord.MaxNodeLength);

        // A profile in use cannot be deleted out from under its nodes: the admin maps them elsewhere first.
        builder.HasOne<HardwareProfile>().WithMany().HasForeignKey(n => n.HardwareProfileId).OnDelete(DeleteBehavior.Restrict);
    }
}
