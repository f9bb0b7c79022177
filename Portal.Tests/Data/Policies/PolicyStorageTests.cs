using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Policies;
using Portal.Tests.Data.Infrastructure;

namespace Portal.Tests.Data.Policies;

public sealed class PolicyStorageTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Rules_RoundTrip_AndARuleAddedInPlaceIsSaved(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Policy");
        var policy = new TenantPolicy
        {
            TenantId = seeded.Id,
            Name = "Default",
            EnforcedSystemPrompt = "Be careful.",
            InputRules = [new("passwords", PolicyRuleKind.Word, "password"), new("quotes", PolicyRuleKind.Phrase, "quote \" and, comma"), new("ids", PolicyRuleKind.Regex, @"ünï\d+")],
            OutputRules = [],
            CustomPiiPatterns = [new("employee id", @"EMP-\d{6}")],
            RetentionDays = 30,
        };

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            db.TenantPolicies.Add(policy);
            await db.SaveChangesAsync(Ct);
        }

        await using (var db = database.CreateContext(TenantScopes.For(seeded.Id)))
        {
            var loaded = await db.TenantPolicies.SingleAsync(p => p.Id == policy.Id, Ct);
            Assert.Equal([new("passwords", PolicyRuleKind.Word, "password"), new("quotes", PolicyRuleKind.Phrase, "quote \" and, comma"), new("ids", PolicyRuleKind.Regex, @"ünï\d+")], loaded.InputRules);
            Assert.Empty(loaded.OutputRules);
            Assert.Equal([new PiiPattern("employee id", @"EMP-\d{6}")], loaded.CustomPiiPatterns);
            Assert.Equal(30, loaded.RetentionDays);

            // Changing the list itself (not assigning a new one) must be noticed.
            loaded.OutputRules.Add(new PolicyRule("secrets", PolicyRuleKind.Phrase, "secret"));
            await db.SaveChangesAsync(Ct);
        }

        await using var reader = database.CreateContext(TenantScopes.For(seeded.Id));
        Assert.Equal([new PolicyRule("secrets", PolicyRuleKind.Phrase, "secret")], (await reader.TenantPolicies.SingleAsync(p => p.Id == policy.Id, Ct)).OutputRules);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Policy_SameVersionTwice_IsRejected(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var seeded = await SeededTenant.CreateAsync(database, "Versions");

        await using var db = database.CreateContext(TenantScopes.For(seeded.Id));
        db.TenantPolicies.Add(new TenantPolicy { TenantId = seeded.Id, Name = "v1", Version = 1 });
        await db.SaveChangesAsync(Ct);
        db.TenantPolicies.Add(new TenantPolicy { TenantId = seeded.Id, Name = "v1 again", Version = 1 });

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(Ct));
    }
}
