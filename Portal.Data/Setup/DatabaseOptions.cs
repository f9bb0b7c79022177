using System.ComponentModel.DataAnnotations;

namespace Portal.Data;

/// <summary>
/// Which database the portal uses: section <c>Database</c> (<c>Database:Provider</c>) plus the
/// connection string <c>ConnectionStrings:Portal</c>.
/// </summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string SectionName = "Database";

    public const string ConnectionStringName = "Portal";

    [EnumDataType(typeof(DatabaseProvider))]
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// Filled from <c>ConnectionStrings:Portal</c>. Optional for SQLite, which then uses a file
    /// in <see cref="PortalDataOptions.DataDirectory"/>.
    /// </summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider != DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                $"Database:Provider is {Provider}, which needs a connection string: set ConnectionStrings:{ConnectionStringName}.",
                [nameof(ConnectionString)]);
        }
    }
}
