using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Usage;
using Portal.Web.Admin;
using Portal.Web.Audit;

namespace Portal.Web.Accounting;

/// <summary>
/// Platform admins keep the cost model: the hardware's price, lifetime, power draw, electricity price,
/// expected utilisation and the currency, and the cloud list prices reports compare against. Audited.
/// </summary>
public sealed class CostAdministration(PortalDbContext db, AuditLog audit)
{
    public async Task<(CostSettings Settings, IReadOnlyList<CloudPrice> Prices)> GetAsync(AdminActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.RequirePlatformAdmin();
        var settings = await db.CostSettings.AsNoTracking().OrderBy(c => c.Id).FirstOrDefaultAsync(cancellationToken) ?? new CostSettings();
        var prices = await db.CloudPrices.AsNoTracking().OrderBy(p => p.Name).ToListAsync(cancellationToken);
        return (settings, prices);
    }

    public async Task SaveSettingsAsync(AdminActor actor, CostSettings changed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(changed);
        actor.RequirePlatformAdmin();
        if (changed.HardwarePrice < 0 || changed.PowerWatts < 0 || changed.ElectricityPricePerKwh < 0)
        {
            throw new AdminException(AdminFailure.Invalid, "Prices and power cannot be negative.");
        }

        if (changed.LifetimeYears <= 0 || changed.Utilisation is <= 0 or > 1)
        {
            throw new AdminException(AdminFailure.Invalid, "The lifetime must be above zero years, and the utilisation between 0 and 1 (0.3 is 30 %).");
        }

        if (changed.Currency is not { Length: 3 } currency || !currency.All(char.IsAsciiLetterUpper))
        {
            throw new AdminException(AdminFailure.Invalid, "The currency is a three-letter code such as USD or EUR.");
        }

        var settings = await db.CostSettings.OrderBy(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        var before = settings is null ? null : Snapshot(settings);
        if (settings is null)
        {
            settings = new CostSettings();
            db.CostSettings.Add(settings);
        }

        (settings.Currency, settings.HardwarePrice, settings.LifetimeYears, settings.PowerWatts, settings.ElectricityPricePerKwh, settings.Utilisation) =
            (changed.Currency, changed.HardwarePrice, changed.LifetimeYears, changed.PowerWatts, changed.ElectricityPricePerKwh, changed.Utilisation);
        audit.Add(db, new AuditEntry("cost.changed", actor.UserId, "cost-settings", before, Snapshot(settings)));
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

    private static object Snapshot(CostSettings s) => new { s.Currency, s.HardwarePrice, s.LifetimeYears, s.PowerWatts, s.ElectricityPricePerKwh, s.Utilisation, PerBusyHour = CostModel.PerBusyHour(s) };
}
