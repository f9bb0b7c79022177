using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Domain.Models;

namespace Portal.Data.Configurations.Models;

internal sealed class ModelEntryConfiguration : IEntityTypeConfiguration<ModelEntry>
{
    public void Configure(EntityTypeBuilder<ModelEntry> builder)
    {
        builder.ToTable("ModelEntries");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Name).HasMaxLength(200);
        builder.Property(m => m.FileName).HasMaxLength(255);
        builder.Property(m => m.Sha256).HasMaxLength(64).IsFixedLength();
        builder.Property(m => m.Architecture).HasMaxLength(64);
        builder.Property(m => m.Quantisation).HasMaxLength(64);
        builder.Property(m => m.State).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.FailureReason).HasMaxLength(2000);
        // Rows from before endpoint models are GGUF files.
        builder.Property(m => m.Kind).HasConversion<string>().HasMaxLength(16).HasDefaultValue(ModelKind.GgufFile);

        // An endpoint model's remote lives in the model's own row (columns empty for a GGUF file).
        builder.OwnsOne(m => m.Endpoint, endpoint =>
        {
            endpoint.Property(e => e.BaseUrl).HasColumnName("EndpointBaseUrl").HasMaxLength(ModelEndpoint.MaxBaseUrlLength);
            endpoint.Property(e => e.RemoteModel).HasColumnName("EndpointRemoteModel").HasMaxLength(ModelEndpoint.MaxRemoteModelLength);
            endpoint.Property(e => e.ProtectedApiKey).HasColumnName("EndpointProtectedApiKey").HasMaxLength(ModelEndpoint.MaxProtectedKeyLength);
            endpoint.Property(e => e.ContextSize).HasColumnName("EndpointContextSize");
            endpoint.Property(e => e.MaxOutputTokens).HasColumnName("EndpointMaxOutputTokens");
            endpoint.Property(e => e.ParallelRequests).HasColumnName("EndpointParallelRequests");
        });

        // The same file uploaded twice is one model; two models never share a file.
        builder.HasIndex(m => m.Sha256).IsUnique();
        builder.HasIndex(m => m.FileName).IsUnique();
    }
}
