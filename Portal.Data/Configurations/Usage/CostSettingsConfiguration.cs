using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Usage;

namespace Portal.Data.Configurations.Usage;

internal sealed class CostSettingsConfiguration : IEntityTypeConfiguration<CostSettings>
{
    public void Configure(EntityTypeBuilder<CostSettings> builder)
    {
        builder.ToTable("CostSettings");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Currency).HasMaxLength(3);
    }
}
