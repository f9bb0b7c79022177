namespace Portal.Web.Chat;

/// <summary>
/// Told when a person loses access (user disabled, membership disabled or removed): their open chat
/// hub connections are closed and their running generations stopped. The admin pages call it after
/// saving the change.
/// </summary>
public interface IAccessRevocation
{
    /// <summary>
    /// Ends <paramref name="userId"/>'s chat connections in <paramref name="tenantId"/>, or in every
    /// tenant when it is null (the person was disabled).
    /// </summary>
    Task RevokeAsync(Guid userId, Guid? tenantId = null, CancellationToken cancellationToken = default);

    /// <summary>Ends every chat connection and answer in <paramref name="tenantId"/> (the tenant was suspended).</summary>
    Task RevokeTenantAsync(Guid tenantId, CancellationToken cancellationToken = default);
}
