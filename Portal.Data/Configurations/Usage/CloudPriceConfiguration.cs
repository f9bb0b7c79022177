using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class CloudPriceConfiguration : IEntityTypeConfiguration<CloudPrice>
{
    public void Configure(EntityTypeBuilder<CloudPrice> builder)
    {
        builder.ToTable("CloudPrices");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.HasIndex(c => c.Name).IsUnique();
    }
}
