using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Portal.Data;

/// <summary>
/// Brings the database up to the newest migration. An explicit step (the host's <c>--migrate</c>
/// switch, the run script): the portal never changes its schema silently while starting.
/// </summary>
public sealed partial class PortalDatabaseMigrator(PortalDbContext db, ILogger<PortalDatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
        {
            LogUpToDate(logger, db.Database.ProviderName);
            return;
        }

        LogApplying(logger, pending.Count, db.Database.ProviderName, string.Join(", ", pending));
        await db.Database.MigrateAsync(cancellationToken);
        LogApplied(logger, pending.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database ({Provider}) is up to date; no migration to apply")]
    private static partial void LogUpToDate(ILogger logger, string? provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} migration(s) to the {Provider} database: {Migrations}")]
    private static partial void LogApplying(ILogger logger, int count, string? provider, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} migration(s)")]
    private static partial void LogApplied(ILogger logger, int count);
}
