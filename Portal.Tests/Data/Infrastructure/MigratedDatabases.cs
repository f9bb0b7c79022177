using Portal.Data;

namespace Portal.Tests.Data.Infrastructure;

/// <summary>
/// Class fixture: one freshly migrated database per provider for the test class that uses it,
/// created on first use and dropped when the class is done.
/// </summary>
public sealed class MigratedDatabases : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<DatabaseProvider, TestDatabase> _databases = [];

    public async Task<TestDatabase> GetAsync(DatabaseProvider provider)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!_databases.TryGetValue(provider, out var database))
            {
                database = await TestDatabase.CreateAsync(provider, cancellationToken);
                await database.MigrateAsync(cancellationToken);
                _databases[provider] = database;
            }

            return database;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _databases.Values)
        {
            await database.DisposeAsync();
        }

        _gate.Dispose();
    }
}
