using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Portal.Data;

namespace Portal.Tests.Data.Migrations;

/// <summary>
/// No SQL Server runs here, so its migrations are checked by the script they produce: the
/// idempotent script an operator runs (or reviews) against a real server.
/// </summary>
public sealed class SqlServerScriptTests
{
    [Fact]
    public void IdempotentScript_CreatesEveryTable_InsideIfNotExistsGuards()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>()
            .UsePortalDatabase(DatabaseProvider.SqlServer, "Server=unused;Database=unused;TrustServerCertificate=True")
            .Options;
        using var db = new PortalDbContext(options, new TenantContext());

        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        var migrations = db.Database.GetMigrations().ToList();
        Assert.NotEmpty(migrations);
        foreach (var migration in migrations)
        {
            Assert.Contains(
                $"IF NOT EXISTS (\n    SELECT * FROM [__EFMigrationsHistory]\n    WHERE [MigrationId] = N'{migration}'\n)",
                script.ReplaceLineEndings("\n"),
                StringComparison.Ordinal);
        }

        foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()!).Distinct())
        {
            Assert.Contains($"CREATE TABLE [{table}] (", script, StringComparison.Ordinal);
        }

        Assert.Contains("datetimeoffset", script, StringComparison.Ordinal);
        Assert.Contains("WHERE [ExternalTenantId] IS NOT NULL AND [ExternalObjectId] IS NOT NULL", script, StringComparison.Ordinal);
    }
}
