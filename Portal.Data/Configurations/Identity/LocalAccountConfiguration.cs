using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Identity;

internal sealed class LocalAccountConfiguration : IEntityTypeConfiguration<LocalAccount>
{
    public void Configure(EntityTypeBuilder<LocalAccount> builder)
    {
        // A local account is the credential of exactly one domain user, with the same id.
        builder.HasOne<User>().WithOne().HasForeignKey<LocalAccount>(a => a.Id).OnDelete(DeleteBehavior.Cascade);
    }
}
