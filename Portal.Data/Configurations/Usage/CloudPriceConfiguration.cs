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

        // Reference tiers to compare against; admins change or add their own.
        builder.HasData(
            new CloudPrice { Id = new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a01"), Name = "Frontier tier", InputPerMillionTokens = 10m, OutputPerMillionTokens = 50m },
            new CloudPrice { Id = new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a02"), Name = "Open-weight API tier", InputPerMillionTokens = 0.43m, OutputPerMillionTokens = 0.87m });
    }
}
