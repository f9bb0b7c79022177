using Portal.Data;
using Portal.Domain.Audit;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Audit;
using static Portal.Tests.Data.Audit.AuditChainTesting;

namespace Portal.Tests.Data.Audit;

/// <summary>
/// Someone with database access edits, deletes or inserts audit rows with plain SQL; verification
/// names the first broken row and what was done to it.
/// </summary>
public sealed class AuditChainVerificationTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Verify_UntouchedChain_IsIntactWithItsHead(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        var rows = await AppendAsync(database, tenant, 5);

        var report = await VerifyAsync(database, tenant);

        Assert.True(report.IsIntact);
        Assert.Equal(5, report.EntriesChecked);
        Assert.Equal(5, report.HeadSequence);
        Assert.Equal(rows[^1].Hash, report.HeadHash);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Verify_RowEditedInTheDatabase_NamedAsChanged(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        var rows = await AppendAsync(database, tenant, 5);

        await RawSqlAsync(database, $"""UPDATE "AuditEvents" SET "Target" = 'membership:someone-else' WHERE "Id" = {rows[2].Id}""");

        var broken = AssertBroken(await VerifyAsync(database, tenant), AuditBreakKind.Changed, rows[2].Id);
        Assert.Equal(3, broken.Sequence);
        Assert.Contains($"Row {rows[2].Id}", broken.Description, StringComparison.Ordinal);
        Assert.Contains("changed", broken.Description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Verify_RowEditedAndItsHashRecomputed_NamedAsChanged(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        var rows = await AppendAsync(database, tenant, 4);
        var forged = (await ChainAsync(database, tenant))[1];
        forged.Action = "nothing.happened";
        var hash = AuditEventCanonicalForm.ComputeHash(forged);

        await RawSqlAsync(database, $"""UPDATE "AuditEvents" SET "Action" = 'nothing.happened', "Hash" = '{hash}' WHERE "Id" = {rows[1].Id}""");

        var broken = AssertBroken(await VerifyAsync(database, tenant), AuditBreakKind.Changed, rows[1].Id);
        Assert.Contains($"row {rows[2].Id} no longer links to it", broken.Description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Verify_RowDeletedFromTheMiddle_NamedAsDeletedBetweenItsNeighbours(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        var rows = await AppendAsync(database, tenant, 5);

        await RawSqlAsync(database, $"""DELETE FROM "AuditEvents" WHERE "Id" = {rows[1].Id}""");

        var broken = AssertBroken(await VerifyAsync(database, tenant), AuditBreakKind.Deleted, rows[2].Id);
        Assert.Equal($"Rows were deleted: position 2 is missing between row {rows[0].Id} and row {rows[2].Id}.", broken.Description);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Verify_LastRowsDeleted_NamedAsDeletedFromTheEnd(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        var rows = await AppendAsync(database, tenant, 5);

        await RawSqlAsync(database, $"""DELETE FROM "AuditEvents" WHERE "Id" IN ({rows[3].Id}, {rows[4].Id})""");

        var broken = AssertBroken(await VerifyAsync(database, tenant), AuditBreakKind.Deleted, rows[2].Id);
        Assert.Contains($"positions 4 to 5 are missing after row {rows[2].Id}", broken.Description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Verify_RowInsertedWithoutLink_NamedAsInserted(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        var rows = await AppendAsync(database, tenant, 3);

        await RawSqlAsync(database, $"""
            INSERT INTO "AuditEvents" ("TenantId", "ChainId", "ActorUserId", "Action", "Target", "OccurredAt")
            SELECT "TenantId", "ChainId", "ActorUserId", 'member.added', 'membership:forged', "OccurredAt" FROM "AuditEvents" WHERE "Id" = {rows[1].Id}
            """);

        var report = await VerifyAsync(database, tenant);
        var inserted = Assert.Single(await ChainAsync(database, tenant), e => e.Sequence is null);
        var broken = AssertBroken(report, AuditBreakKind.Inserted, inserted.Id);
        Assert.Contains("carries no link", broken.Description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Verify_RowInsertedAfterTheLastWithALink_NamedAsInserted(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = Guid.NewGuid();
        var rows = await AppendAsync(database, tenant, 3);

        // A careful forger: next position, linked to the last row's hash, with a well-formed hash.
        await RawSqlAsync(database, $"""
            INSERT INTO "AuditEvents" ("TenantId", "ChainId", "ActorUserId", "Action", "Target", "OccurredAt", "Sequence", "PreviousHash", "Hash")
            SELECT "TenantId", "ChainId", "ActorUserId", 'member.added', 'membership:forged', "OccurredAt", 4, "Hash", "Hash" FROM "AuditEvents" WHERE "Id" = {rows[2].Id}
            """);

        var inserted = Assert.Single(await ChainAsync(database, tenant), e => e.Sequence == 4);
        var broken = AssertBroken(await VerifyAsync(database, tenant), AuditBreakKind.Inserted, inserted.Id);
        Assert.Contains("beyond the chain's recorded head at position 3", broken.Description, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task Verify_TamperingWithOneTenant_LeavesTheOtherChainsIntact(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tampered = Guid.NewGuid();
        var untouched = Guid.NewGuid();
        var rows = await AppendAsync(database, tampered, 2);
        await AppendAsync(database, untouched, 2);

        await RawSqlAsync(database, $"""DELETE FROM "AuditEvents" WHERE "Id" = {rows[0].Id}""");

        Assert.False((await VerifyAsync(database, tampered)).IsIntact);
        Assert.True((await VerifyAsync(database, untouched)).IsIntact);
    }

    private static AuditChainBreak AssertBroken(AuditChainReport report, AuditBreakKind kind, long rowId)
    {
        Assert.False(report.IsIntact, "The chain was reported intact.");
        var broken = report.FirstBreak!;
        Assert.Equal(kind, broken.Kind);
        Assert.Equal(rowId, broken.EventId);
        return broken;
    }
}
