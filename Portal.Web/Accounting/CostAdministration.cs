using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Usage;
using Portal.Web.Admin;
using Portal.Web.Audit;

namespace Portal.Web.Accounting;

/// <summary>
/// Platform admins keep the cost model: hardware profiles (price, lifetime, power draw, electricity price,
/// expected utilisation), which profile prices each node, the currency, and the cloud list prices reports
/// compare against. Every change is audited.
/// </summary>
public sealed class CostAdministration(PortalDbContext db, ITenantContext tenantContext, AuditLog audit)
{
    public async Task<CostOverview> GetAsync(AdminActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var currency = await db.CostSettings.AsNoTracking().OrderBy(c => c.Id).Select(c => c.Currency).FirstOrDefaultAsync(cancellationToken) ?? "USD";
        var profiles = await db.HardwareProfiles.AsNoTracking().OrderByDescending(p => p.IsDefault).ThenBy(p => p.Name).ToListAsync(cancellationToken);
        var mappings = await db.NodeHardwareProfiles.AsNoTracking().ToListAsync(cancellationToken);
        List<string> used;
        using (tenantContext.BeginPlatformScope())
        {
            used = await db.UsageDailyTotals.AsNoTracking().Select(r => r.Node).Distinct().ToListAsync(cancellationToken);
        }

        var nodes = used.Union(mappings.Select(m => m.Node)).Order(StringComparer.Ordinal)
            .Select(node => new NodeProfile(node, mappings.FirstOrDefault(m => m.Node == node)?.HardwareProfileId)).ToList();
        var prices = await db.CloudPrices.AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken);
        return new CostOverview(currency, profiles, nodes, prices);
    }

    public async Task SaveCurrencyAsync(AdminActor actor, string currency, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        currency = currency?.Trim().ToUpperInvariant() ?? "";
        if (currency is not { Length: 3 } || !currency.All(char.IsAsciiLetterUpper))
        {
            throw new AdminException(AdminFailure.Invalid, "The currency is a three-letter code such as USD or EUR.");
        }

        var settings = await db.CostSettings.OrderBy(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        var before = settings?.Currency;
        if (settings is null)
        {
            settings = new CostSettings();
            db.CostSettings.Add(settings);
        }

        settings.Currency = currency;
        audit.Add(db, new AuditEntry("cost.currency_changed", actor.UserId, "cost-settings", new { Currency = before }, new { settings.Currency }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Adds a hardware profile (<paramref name="changed"/> with an id not yet stored) or changes one. The first
    /// profile becomes the default; a profile made the default takes over from the previous one.
    /// </summary>
    public async Task<HardwareProfile> SaveProfileAsync(AdminActor actor, HardwareProfile changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(changed);
        actor.RequirePlatformAdmin();
        var name = changed.Name?.Trim() ?? "";
        if (name.Length is 0 or > 200)
        {
            throw new AdminException(AdminFailure.Invalid, "A hardware profile needs a name (up to 200 characters).");
        }

        if (changed.HardwarePrice < 0 || changed.PowerWatts < 0 || changed.ElectricityPricePerKwh < 0)
        {
            throw new AdminException(AdminFailure.Invalid, "Prices and power cannot be negative.");
        }

        if (changed.LifetimeYears <= 0 || changed.Utilisation is <= 0 or > 1)
        {
            throw new AdminException(AdminFailure.Invalid, "The lifetime must be above zero years, and the utilisation between 0 and 1 (0.3 is 30 %).");
        }

        if (await db.HardwareProfiles.AnyAsync(p => p.Name == name && p.Id != changed.Id, cancellationToken))
        {
            throw new AdminException(AdminFailure.Invalid, $"There is already a hardware profile called “{name}”.");
        }

        var profile = await db.HardwareProfiles.FirstOrDefaultAsync(p => p.Id == changed.Id, cancellationToken);
        var before = profile is null ? null : Snapshot(profile);
        if (profile is null)
        {
            profile = new HardwareProfile { Id = changed.Id, Name = name, IsDefault = !await db.HardwareProfiles.AnyAsync(cancellationToken) };
            db.HardwareProfiles.Add(profile);
        }

        if (changed.IsDefault && !profile.IsDefault)
        {
            foreach (var previous in await db.HardwareProfiles.Where(p => p.IsDefault).ToListAsync(cancellationToken))
            {
                previous.IsDefault = false;
            }

            profile.IsDefault = true;
        }

        (profile.Name, profile.HardwarePrice, profile.LifetimeYears, profile.PowerWatts, profile.ElectricityPricePerKwh, profile.Utilisation) =
            (name, changed.HardwarePrice, changed.LifetimeYears, changed.PowerWatts, changed.ElectricityPricePerKwh, changed.Utilisation);
        audit.Add(db, new AuditEntry("hardware_profile.changed", actor.UserId, $"hardware-profile:{profile.Id}", before, Snapshot(profile)));
        await db.SaveChangesAsync(cancellationToken);
        return profile;
    }

    /// <summary>Deletes a profile that is neither the default nor mapped to a node.</summary>
    public async Task DeleteProfileAsync(AdminActor actor, Guid profileId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var profile = await db.HardwareProfiles.FirstOrDefaultAsync(p => p.Id == profileId, cancellationToken)
            ?? throw new AdminException(AdminFailure.NotFound, "There is no such hardware profile.");
        if (profile.IsDefault)
        {
            throw new AdminException(AdminFailure.Invalid, $"“{profile.Name}” is the default profile: make another profile the default first.");
        }

        var nodes = await db.NodeHardwareProfiles.Where(n => n.HardwareProfileId == profileId).Select(n => n.Node).ToListAsync(cancellationToken);
        if (nodes.Count > 0)
        {
            throw new AdminException(AdminFailure.Invalid, $"“{profile.Name}” prices the nodes {string.Join(", ", nodes)}: map them to another profile first.");
        }

        db.HardwareProfiles.Remove(profile);
        audit.Add(db, new AuditEntry("hardware_profile.deleted", actor.UserId, $"hardware-profile:{profile.Id}", Snapshot(profile)));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Prices <paramref name="node"/>'s generations with a profile, or (null) with the default profile.</summary>
    public async Task MapNodeAsync(AdminActor actor, string node, Guid? profileId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        node = node?.Trim() ?? "";
        if (node.Length is 0 or > 100)
        {
            throw new AdminException(AdminFailure.Invalid, "A node is named as its usage records name it (up to 100 characters), e.g. “local”.");
        }

        if (profileId is { } id && !await db.HardwareProfiles.AnyAsync(p => p.Id == id, cancellationToken))
        {
            throw new AdminException(AdminFailure.NotFound, "There is no such hardware profile.");
        }

        var mapping = await db.NodeHardwareProfiles.FirstOrDefaultAsync(n => n.Node == node, cancellationToken);
        var before = mapping?.HardwareProfileId;
        if (profileId is null)
        {
            if (mapping is not null)
            {
                db.NodeHardwareProfiles.Remove(mapping);
            }
        }
        else if (mapping is null)
        {
            db.NodeHardwareProfiles.Add(new NodeHardwareProfile { Node = node, HardwareProfileId = profileId.Value });
        }
        else
        {
            mapping.HardwareProfileId = profileId.Value;
        }

        audit.Add(db, new AuditEntry("hardware_profile.node_mapped", actor.UserId, $"node:{node}", new { Node = node, HardwareProfileId = before }, new { Node = node, HardwareProfileId = profileId }));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Adds or changes the cloud price called <paramref name="name"/>.</summary>
    public async Task SavePriceAsync(AdminActor actor, string name, decimal inputPerMillion, decimal outputPerMillion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 200 || inputPerMillion < 0 || outputPerMillion < 0)
        {
            throw new AdminException(AdminFailure.Invalid, "A cloud price needs a name (up to 200 characters) and prices that are not negative.");
        }

        var price = await db.CloudPrices.FirstOrDefaultAsync(p => p.Name == name, cancellationToken);
        var before = price is null ? null : new { price.Name, price.InputPerMillionTokens, price.OutputPerMillionTokens };
        if (price is null)
        {
            price = new CloudPrice { Name = name };
            db.CloudPrices.Add(price);
        }

        (price.InputPerMillionTokens, price.OutputPerMillionTokens) = (inputPerMillion, outputPerMillion);
        audit.Add(db, new AuditEntry("cloud_price.changed", actor.UserId, $"cloud-price:{name}", before, new { price.Name, price.InputPerMillionTokens, price.OutputPerMillionTokens }));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task DeletePriceAsync(AdminActor actor, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var price = await db.CloudPrices.FirstOrDefaultAsync(p => p.Name == name, cancellationToken)
            ?? throw new AdminException(AdminFailure.NotFound, $"There is no cloud price “{name}”.");
        db.CloudPrices.Remove(price);
        audit.Add(db, new AuditEntry("cloud_price.deleted", actor.UserId, $"cloud-price:{name}", new { price.Name, price.InputPerMillionTokens, price.OutputPerMillionTokens }));
        await db.SaveChangesAsync(cancellationToken);
    }

    private static object Snapshot(HardwareProfile p) =>
        new { p.Name, p.IsDefault, p.HardwarePrice, p.LifetimeYears, p.PowerWatts, p.ElectricityPricePerKwh, p.Utilisation, PerBusyHour = CostModel.PerBusyHour(p) };
}

/// <summary>A node that has usage or a mapping, and the profile it is mapped to (null: the default profile).</summary>
public sealed record NodeProfile(string Node, Guid? HardwareProfileId);

public sealed record CostOverview(string Currency, IReadOnlyList<HardwareProfile> Profiles, IReadOnlyList<NodeProfile> Nodes, IReadOnlyList<CloudPrice> Prices);
