using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Usage;

namespace Portal.Web.Accounting;

/// <summary>
/// Prices busy time by the node it ran on: a node mapped to a hardware profile costs that profile's rate,
/// every other node the default profile's; without any profile, busy time costs nothing.
/// </summary>
public sealed class HardwareCosts(IReadOnlyDictionary<string, HardwareProfile> byNode, HardwareProfile? fallback)
{
    public HardwareProfile? ProfileOf(string node) => byNode.TryGetValue(node, out var profile) ? profile : fallback;

    /// <summary>Cost of <paramref name="busy"/> generation time on <paramref name="node"/>.</summary>
    public decimal Of(string node, TimeSpan busy) => ProfileOf(node) is { } profile ? CostModel.Of(profile, busy) : 0;

    public static async Task<HardwareCosts> LoadAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var profiles = await db.HardwareProfiles.AsNoTracking().ToDictionaryAsync(p => p.Id, cancellationToken);
        var mappings = await db.NodeHardwareProfiles.AsNoTracking().ToListAsync(cancellationToken);
        return new HardwareCosts(
            mappings.Where(m => profiles.ContainsKey(m.HardwareProfileId)).ToDictionary(m => m.Node, m => profiles[m.HardwareProfileId], StringComparer.Ordinal),
            profiles.Values.FirstOrDefault(p => p.IsDefault));
    }
}
