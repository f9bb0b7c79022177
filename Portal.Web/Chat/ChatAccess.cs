using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Domain.Tenants;

namespace Portal.Web.Chat;

/// <summary>
/// Whether the person may chat in the tenant NOW, read from the database rather than the cookie,
/// so a person disabled or removed since sign-in is refused at once.
/// </summary>
public sealed class ChatAccess(IServiceScopeFactory scopes)
{
    public async Task<bool> CanChatAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(caller);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<ITenantContext>().SetTenant(caller.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        var user = await db.PortalUsers.AsNoTracking().FirstOrDefaultAsync(u => u.Id == caller.UserId, cancellationToken);
        var membership = await db.Memberships.AsNoTracking().Include(m => m.Tenant)
            .FirstOrDefaultAsync(m => m.UserId == caller.UserId && m.TenantId == caller.TenantId, cancellationToken);
        return user is not null && AccessRules.CanChat(user, membership);
    }
}
