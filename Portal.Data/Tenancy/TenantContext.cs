namespace Portal.Data;

/// <inheritdoc cref="ITenantContext"/>
public sealed class TenantContext : ITenantContext
{
    private int _platformScopeDepth;

    public Guid? TenantId { get; private set; }

    public bool IsPlatformScope => _platformScopeDepth > 0;

    public void SetTenant(Guid tenantId)
    {
        if (tenantId == Guid.Empty)
        {
            throw new ArgumentException("The empty id is not a tenant.", nameof(tenantId));
        }

        TenantId = tenantId;
    }

    public IDisposable BeginPlatformScope()
    {
        _platformScopeDepth++;
        return new PlatformScope(this);
    }

    private sealed class PlatformScope(TenantContext owner) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                owner._platformScopeDepth--;
            }
        }
    }
}
