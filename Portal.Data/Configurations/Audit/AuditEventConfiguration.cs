using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Audit;

namespace Portal.Data.Configurations.Audit;

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("AuditEvents");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).ValueGeneratedOnAdd();
        builder.Property(a => a.Action).HasMaxLength(100);
        builder.Property(a => a.Target).HasMaxLength(300);
        builder.Property(a => a.PreviousHash).HasMaxLength(128);
        builder.Property(a => a.Hash).HasMaxLength(128);

        // The last line of defence against a forked chain: two entries can never share a position.
        builder.HasIndex(a => new { a.ChainId, a.Sequence }).IsUnique();

        // The Audit page pages newest first by (OccurredAt, Id), within a tenant or across all, and
        // narrows by action or actor; each index ends in the paging key so a page is one range scan.
        builder.HasIndex(a => new { a.OccurredAt, a.Id });
        builder.HasIndex(a => new { a.Action, a.OccurredAt, a.Id });
        builder.HasIndex(a => new { a.TenantId, a.OccurredAt, a.Id });
        builder.HasIndex(a => new { a.TenantId, a.Action, a.OccurredAt, a.Id });
        builder.HasIndex(a => new { a.TenantId, a.ActorUserId, a.OccurredAt, a.Id });
    }
}
