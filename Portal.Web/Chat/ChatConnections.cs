using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Portal.Web.Chat;

/// <summary>The open chat hub connections and whose they are, so access revocation can close them.</summary>
public sealed class ChatConnections
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, ChatCaller Caller)> open = new(StringComparer.Ordinal);

    public int Count => open.Count;

    public void Add(HubCallerContext context, ChatCaller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        open[context.ConnectionId] = (context, caller);
    }

    public void Remove(string connectionId) => open.TryRemove(connectionId, out _);

    /// <summary>Closes the person's connections (in one tenant, or all); returns how many.</summary>
    public int Close(Guid userId, Guid? tenantId) =>
        CloseWhere(caller => caller.UserId == userId && (tenantId is null || caller.TenantId == tenantId));

    /// <summary>Closes every connection working in <paramref name="tenantId"/>; returns how many.</summary>
    public int CloseTenant(Guid tenantId) => CloseWhere(caller => caller.TenantId == tenantId);

    private int CloseWhere(Func<ChatCaller, bool> match)
    {
        var closed = 0;
        foreach (var (id, (context, caller)) in open)
        {
            if (match(caller) && open.TryRemove(id, out _))
            {
                context.Abort();
                closed++;
            }
        }

        return closed;
    }
}
