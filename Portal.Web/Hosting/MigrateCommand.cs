using Portal.Data;

namespace Portal.Web.Hosting;

/// <summary>
/// The <c>--migrate</c> switch: apply pending database migrations, then exit. The portal never
/// migrates while starting; a start against an outdated database stops with a message instead.
/// </summary>
public static class MigrateCommand
{
    public const string Switch = "--migrate";

    public static bool IsRequested(string[] args) => args.Contains(Switch, StringComparer.OrdinalIgnoreCase);

    /// <summary>The arguments without the switch, so the command-line configuration never reads it as a key.</summary>
    public static string[] WithoutSwitch(string[] args) =>
        args.Where(a => !string.Equals(a, Switch, StringComparison.OrdinalIgnoreCase)).ToArray();

    public static async Task RunAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PortalDatabaseMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
    }
}
