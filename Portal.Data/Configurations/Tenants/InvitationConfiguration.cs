using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Tenants;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.ToTable("Invitations");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.DisplayName).HasMaxLength(200);
        builder.Property(i => i.SecretHash).HasMaxLength(32);
        builder.Property(i => i.Roles).HasConversion<int>();
        builder.HasIndex(i => new { i.TenantId, i.Email });

        // The invitee's own list: pending invitations to their address, across tenants.
        builder.HasIndex(i => i.Email);
        builder.HasOne<Tenant>().WithMany().HasForeignKey(i => i.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
