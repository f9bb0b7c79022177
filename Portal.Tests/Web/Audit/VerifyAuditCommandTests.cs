using System.Diagnostics;
using Portal.Data;
using Portal.Tests.Data.Audit;
using Portal.Tests.Data.Infrastructure;
using Portal.Web.Audit;

namespace Portal.Tests.Web.Audit;

/// <summary><c>--verify-audit</c>: one line per chain, exit code 0 when intact and 1 when broken.</summary>
public sealed class VerifyAuditCommandTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(DatabaseProviders.All), MemberType = typeof(DatabaseProviders))]
    public async Task VerifyAudit_IntactThenTampered_PrintsEachChainAndExitCode(DatabaseProvider provider)
    {
        var database = await databases.GetAsync(provider);
        var tenant = await SeededTenant.CreateAsync(database, "Verified");
        var rows = await AuditChainTesting.AppendAsync(database, tenant.Id, 3);
        await AuditChainTesting.AppendAsync(database, null, 2);
        var builder = PortalDataHost.CreateBuilder(AppContext.BaseDirectory, PortalDataHost.ConfigurationFor(database));
        builder.AddPortalAudit();
        using var host = builder.Build();

        var intactOutput = new StringWriter();
        var intact = await VerifyAuditCommand.RunAsync(host.Services, intactOutput, Ct);
        await AuditChainTesting.RawSqlAsync(database, $"""DELETE FROM "AuditEvents" WHERE "Id" = {rows[1].Id}""");
        var brokenOutput = new StringWriter();
        var broken = await VerifyAuditCommand.RunAsync(host.Services, brokenOutput, Ct);

        Assert.Equal(VerifyAuditCommand.Intact, intact);
        Assert.Contains($"intact  tenant Verified ({tenant.Id}): 3 entries, head 3 {rows[2].Hash}", intactOutput.ToString(), StringComparison.Ordinal);
        Assert.Contains("intact  platform:", intactOutput.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("Every audit chain is intact." + Environment.NewLine, intactOutput.ToString(), StringComparison.Ordinal);
        Assert.Equal(VerifyAuditCommand.Broken, broken);
        Assert.Contains(
            $"BROKEN  tenant Verified ({tenant.Id}): deleted at row {rows[2].Id}: Rows were deleted: position 2 is missing between row {rows[0].Id} and row {rows[2].Id}.",
            brokenOutput.ToString(),
            StringComparison.Ordinal);
        Assert.Contains("1 audit chain(s) broken.", brokenOutput.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The switch as an operator types it: the published entry point, a real process, its exit code.</summary>
    [Fact]
    public async Task PortalWeb_VerifyAuditSwitch_ExitsOneOnABrokenChain()
    {
        // A database of its own: the other test leaves a broken chain behind.
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, Ct);
        await database.MigrateAsync(Ct);
        var rows = await AuditChainTesting.AppendAsync(database, Guid.NewGuid(), 2);

        var (intactCode, intactOutput) = await RunPortalAsync(database);
        await AuditChainTesting.RawSqlAsync(database, $"""UPDATE "AuditEvents" SET "Action" = 'forged' WHERE "Id" = {rows[0].Id}""");
        var (brokenCode, brokenOutput) = await RunPortalAsync(database);

        Assert.True(intactCode == 0, intactOutput);
        Assert.Contains("Every audit chain is intact.", intactOutput, StringComparison.Ordinal);
        Assert.True(brokenCode == 1, brokenOutput);
        Assert.Contains($"changed at row {rows[0].Id}", brokenOutput, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunPortalAsync(TestDatabase database)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "Portal.Web.dll"), "--verify-audit" },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Database__Provider"] = database.Provider.ToString(),
                ["ConnectionStrings__Portal"] = database.ConnectionString,
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
            },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await error);
    }
}
