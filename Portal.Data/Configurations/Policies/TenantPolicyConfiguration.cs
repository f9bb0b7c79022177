using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Conventions;
using Portal.Domain.Policies;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Policies;

internal sealed class TenantPolicyConfiguration : IEntityTypeConfiguration<TenantPolicy>
{
    public void Configure(EntityTypeBuilder<TenantPolicy> builder)
    {
        builder.ToTable("TenantPolicies");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Name).HasMaxLength(200);
        builder.Property(p => p.InputRules).HasConversion(JsonConversion<PolicyRule>.Converter, JsonConversion<PolicyRule>.Comparer);
        builder.Property(p => p.OutputRules).HasConversion(JsonConversion<PolicyRule>.Converter, JsonConversion<PolicyRule>.Comparer);
        builder.Property(p => p.CustomPiiPatterns).HasConversion(JsonConversion<PiiPattern>.Converter, JsonConversion<PiiPattern>.Comparer);
        builder.Property(p => p.AllowedModelIds).HasConversion(JsonConversion<Guid>.Converter, JsonConversion<Guid>.Comparer);
        builder.Property(p => p.SelfCheckStreaming).HasConversion<string>().HasMaxLength(32);
        builder.Ignore(p => p.Label);
        builder.Ignore(p => p.PrincipleList);

        // One row per version; a change writes the next version, never overwrites one.
        builder.HasIndex(p => new { p.TenantId, p.Version }).IsUnique();
        builder.HasOne<Tenant>().WithMany().HasForeignKey(p => p.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
