using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Tenants;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("Users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.Property(u => u.Email).HasMaxLength(256);
        builder.Property(u => u.ExternalTenantId).HasMaxLength(256);
        builder.Property(u => u.ExternalObjectId).HasMaxLength(256);

        // An external person is known by issuer tenant + object id, never by e-mail. Local accounts
        // have both null; every provider lets those repeat (SQL Server through a filtered index).
        builder.HasIndex(u => new { u.ExternalTenantId, u.ExternalObjectId }).IsUnique();
        builder.HasIndex(u => u.Email);

        builder.HasMany(u => u.Memberships).WithOne(m => m.User).HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
