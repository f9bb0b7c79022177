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
        builder.Property(u => u.ExternalScheme).HasMaxLength(64);
        builder.Property(u => u.ExternalIssuer).HasMaxLength(512);

        // An external person is (scheme, issuer, object id), never an e-mail and never an object id of
        // another issuer. Local accounts and pre-registrations have nulls; every provider lets those repeat
        // (SQL Server through a filtered index). The directory key only finds pre-registrations.
        builder.HasIndex(u => new { u.ExternalScheme, u.ExternalIssuer, u.ExternalObjectId }).IsUnique();
        builder.HasIndex(u => new { u.ExternalTenantId, u.ExternalObjectId });
        builder.HasIndex(u => u.Email);

        builder.HasMany(u => u.Memberships).WithOne(m => m.User).HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
