namespace Portal.Data;

/// <summary>The database engines the portal runs on; each has its own migrations assembly.</summary>
public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}
