using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.Data;

namespace Portal.Migrations.Sqlite;

/// <summary>
/// Used only by dotnet-ef to build the model for Sqlite migrations, without the web app. No database
/// is opened when adding a migration; the connection string is a placeholder.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>()
            .UsePortalDatabase(DatabaseProvider.Sqlite, "Data Source=:memory:")
            .Options;
        return new PortalDbContext(options, new TenantContext());
    }
}
