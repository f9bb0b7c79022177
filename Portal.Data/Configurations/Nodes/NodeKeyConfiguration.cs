using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Nodes;

namespace Portal.Data.Configurations.Nodes;

internal sealed class NodeKeyConfiguration : IEntityTypeConfiguration<NodeKey>
{
    public void Configure(EntityTypeBuilder<NodeKey> builder)
    {
        builder.ToTable("NodeKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.KeyHash).HasMaxLength(64).IsFixedLength();
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.HasIndex(k => k.KeyHash).IsUnique();
    }
}
