using Portal.Data;
using Portal.Domain.Audit;

namespace Portal.Web.Audit;

/// <summary>
/// The <c>--verify-audit</c> switch: walk every audit chain, print one line per chain, and exit with
/// 0 when all are intact, 1 when one is broken. For an operator and for scheduled checks.
/// </summary>
public static class VerifyAuditCommand
{
    public const string Switch = "--verify-audit";

    public const int Intact = 0;

    public const int Broken = 1;

    public static bool IsRequested(string[] args) => args.Contains(Switch, StringComparer.OrdinalIgnoreCase);

    /// <summary>The arguments without the switch, so the command-line configuration never reads it as a key.</summary>
    public static string[] WithoutSwitch(string[] args) =>
        args.Where(a => !string.Equals(a, Switch, StringComparison.OrdinalIgnoreCase)).ToArray();

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(output);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var verifier = scope.ServiceProvider.GetRequiredService<AuditChainVerifier>();
        var search = scope.ServiceProvider.GetRequiredService<AuditSearch>();
        var names = (await search.TenantsAsync(new AuditAccess(true, null), cancellationToken)).ToDictionary(t => t.Id, t => t.Name);

        var broken = 0;
        foreach (var chain in await AuditChainVerifier.ListChainsAsync(db, cancellationToken))
        {
            var report = await verifier.VerifyAsync(db, chain, cancellationToken);
            var name = chain == AuditChains.Platform ? "platform" : $"tenant {names.GetValueOrDefault(chain, "(unknown)")} ({chain})";
            if (report.FirstBreak is { } failure)
            {
                broken++;
                await output.WriteLineAsync($"BROKEN  {name}: {failure.Kind.ToString().ToLowerInvariant()} at row {failure.EventId?.ToString() ?? "-"}: {failure.Description}");
            }
            else
            {
                var legacy = report.EntriesBeforeChaining > 0 ? $"; {report.EntriesBeforeChaining} older entries predate chaining" : "";
                await output.WriteLineAsync($"intact  {name}: {report.EntriesChecked} entries, head {report.HeadSequence} {report.HeadHash ?? "-"}{legacy}");
            }
        }

        await output.WriteLineAsync(broken == 0 ? "Every audit chain is intact." : $"{broken} audit chain(s) broken.");
        return broken == 0 ? Intact : Broken;
    }
}
