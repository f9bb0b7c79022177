using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Conventions;
using Portal.Domain.Api;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Api;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.KeyId).HasMaxLength(32);
        builder.Property(k => k.SecretHash).HasMaxLength(32);
        builder.Property(k => k.AllowedModelIds).HasConversion(JsonConversion<Guid>.Converter, JsonConversion<Guid>.Comparer);
        builder.Ignore(k => k.ActingUserId);
        builder.HasIndex(k => k.KeyId).IsUnique(); // looked up before the tenant is known
        builder.HasIndex(k => new { k.TenantId, k.CreatedAt });

        // Restrict towards Tenant and User (tenants are suspended, people disabled, not deleted).
        builder.HasOne<Tenant>().WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(k => k.CreatedByUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
