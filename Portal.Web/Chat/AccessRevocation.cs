namespace Portal.Web.Chat;

/// <inheritdoc cref="IAccessRevocation"/>
internal sealed partial class AccessRevocation(ChatConnections connections, ChatGenerations generations, ILogger<AccessRevocation> logger) : IAccessRevocation
{
    public Task RevokeAsync(Guid userId, Guid? tenantId = null, CancellationToken cancellationToken = default)
    {
        // Stop the answers first: a page's answer has no hub connection to close.
        var stopped = generations.StopAllOf(userId, tenantId);
        var closed = connections.Close(userId, tenantId);
        LogRevoked(userId, tenantId, closed, stopped);
        return Task.CompletedTask;
    }

    public Task RevokeTenantAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        var stopped = generations.StopAllInTenant(tenantId);
        var closed = connections.CloseTenant(tenantId);
        LogTenantRevoked(tenantId, closed, stopped);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat access of tenant {TenantId} revoked: {Connections} connections closed, {Generations} answers stopped")]
    private partial void LogTenantRevoked(Guid tenantId, int connections, int generations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Chat access of user {UserId} revoked (tenant {TenantId}): {Connections} connections closed, {Generations} answers stopped")]
    private partial void LogRevoked(Guid userId, Guid? tenantId, int connections, int generations);
}
