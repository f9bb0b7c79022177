namespace Portal.Data.Migrations;

/// <summary>
/// The data step of the migration that moved the hardware figures from the one <c>CostSettings</c> row
/// into <c>HardwareProfiles</c>: the existing row becomes the default profile (same id, name "Default"),
/// so no figure is lost. Runs after "HardwareProfiles" is created and before the old columns are dropped.
/// Kept apart from the generated migration so that a regenerated migration can call it again.
/// </summary>
public static class HardwareProfilesDataStep
{
    public static string CopyCostSettingsIntoDefaultProfile(string? activeProvider)
    {
        const string Columns = "\"HardwarePrice\", \"LifetimeYears\", \"PowerWatts\", \"ElectricityPricePerKwh\", \"Utilisation\"";
        const string Insert = $"INSERT INTO \"HardwareProfiles\" (\"Id\", \"Name\", \"IsDefault\", {Columns})";
        return activeProvider switch
        {
            "Microsoft.EntityFrameworkCore.SqlServer" => $"{Insert} SELECT TOP 1 \"Id\", N'Default', 1, {Columns} FROM \"CostSettings\" ORDER BY \"Id\";",
            "Npgsql.EntityFrameworkCore.PostgreSQL" => $"{Insert} SELECT \"Id\", 'Default', TRUE, {Columns} FROM \"CostSettings\" ORDER BY \"Id\" LIMIT 1;",
            "Microsoft.EntityFrameworkCore.Sqlite" => $"{Insert} SELECT \"Id\", 'Default', 1, {Columns} FROM \"CostSettings\" ORDER BY \"Id\" LIMIT 1;",
            _ => throw new NotSupportedException($"No hardware-profile data step for the provider {activeProvider}."),
        };
    }
}
