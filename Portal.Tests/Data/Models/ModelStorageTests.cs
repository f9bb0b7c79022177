using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Models;

public sealed class ModelStorageTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ModelEntryAndGrant_RoundTrip(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Models");
        var model = NewModel();
        model.State = ModelState.Failed;
        model.FailureReason = "unknown model architecture: 'foo'";
        model.ChatTemplate = "{% for m in messages %}{{ m.content }}{% endfor %}";

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            db.ModelEntries.Add(model);
            db.ModelGrants.Add(new ModelGrant { TenantId = seeded.Id, ModelEntryId = model.Id, GrantedAt = DateTimeOffset.UnixEpoch });
            await db.SaveChangesAsync(Ct);
        }

        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        var grant = await reader.ModelGrants.Include(g => g.ModelEntry).SingleAsync(g => g.ModelEntryId == model.Id, Ct);
        var loaded = grant.ModelEntry!;
        Assert.Equal(model.Sha256, loaded.Sha256);
        Assert.Equal(ModelState.Failed, loaded.State);
        Assert.Equal(model.FailureReason, loaded.FailureReason);
        Assert.Equal(model.ChatTemplate, loaded.ChatTemplate);
        Assert.Equal(model.SizeBytes, loaded.SizeBytes);
        Assert.Equal(model.ParameterCount, loaded.ParameterCount);
        Assert.Equal(4096, loaded.DefaultContextSize);

        var state = await reader.Database
            .SqlQuery<string>($"SELECT \"State\" AS \"Value\" FROM \"ModelEntries\" WHERE \"FileName\" = {model.FileName}")
            .SingleAsync(Ct);
        Assert.Equal("Failed", state);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task ModelEntry_SameFileTwice_IsRejected(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var first = NewModel();
        await using var db = database.CreateContext(new TenantContext());
        db.ModelEntries.Add(first);
        await db.SaveChangesAsync(Ct);

        var sameContent = NewModel();
        sameContent.Sha256 = first.Sha256;
        db.ModelEntries.Add(sameContent);

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
    }

    private static ModelEntry NewModel() => new()
    {
        Name = "tiny",
        FileName = $"{Guid.NewGuid():N}.gguf",
        Sha256 = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
        SizeBytes = 5_000_000_000,
        Architecture = "llama",
        ParameterCount = 7_000_000_000,
        Quantisation = "Q4_K_M",
        ContextLength = 8192,
        LayerCount = 32,
        VocabularySize = 32000,
    };
}
