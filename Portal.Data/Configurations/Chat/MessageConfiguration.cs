using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Data.Conventions;
using Portal.Domain.Chat;
using Portal.Domain.Policies;
using Portal.Domain.Tenants;

namespace Portal.Data.Configurations.Chat;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.ToTable("Messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Role).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Error).HasMaxLength(2000);
        builder.Property(m => m.PolicyActions).HasConversion(JsonConversion<PolicyAction>.Converter, JsonConversion<PolicyAction>.Comparer);
        builder.HasIndex(m => new { m.ConversationId, m.CreatedAt });
        builder.HasOne<Tenant>().WithMany().HasForeignKey(m => m.TenantId).OnDelete(DeleteBehavior.Restrict);
    }
}
