using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;

namespace Portal.Data;

/// <summary>
/// Where the portal keeps its files (section <c>Portal</c>). A relative path is resolved against
/// the content root; the default SQLite database lives here.
/// </summary>
public sealed class PortalDataOptions
{
    public const string SectionName = "Portal";

    public const string SqliteFileName = "portal.db";

    [Required(AllowEmptyStrings = false, ErrorMessage = "Portal:DataDirectory must name a folder.")]
    public string DataDirectory { get; set; } = ".data";

    /// <summary>The SQLite connection string used when <c>ConnectionStrings:Portal</c> is not set.</summary>
    public string DefaultSqliteConnectionString() =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataDirectory, SqliteFileName) }.ConnectionString;
}
