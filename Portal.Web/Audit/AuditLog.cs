using System.Text.Json;
using Portal.Data;
using Portal.Domain.Audit;

namespace Portal.Web.Audit;

/// <summary>
/// Appends admin actions to the audit log: who, what, to what, when, and the state before and after
/// as JSON. The entry joins the caller's unit of work, so it is saved together with the change it
/// describes or not at all. (A later issue chains the entries by hash.)
/// </summary>
public sealed class AuditLog(TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds an entry to <paramref name="db"/>; the caller's <c>SaveChangesAsync</c> writes it.</summary>
    public AuditEvent Add(PortalDbContext db, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(entry);
        var audit = new AuditEvent
        {
            Action = entry.Action,
            ActorUserId = entry.ActorUserId,
            TenantId = entry.TenantId,
            Target = entry.Target,
            Before = entry.Before is null ? null : JsonSerializer.Serialize(entry.Before, Json),
            After = entry.After is null ? null : JsonSerializer.Serialize(entry.After, Json),
            OccurredAt = time.GetUtcNow(),
        };
        db.AuditEvents.Add(audit);
        return audit;
    }

    /// <summary>Adds and saves an entry that has no other change to travel with (a refusal, for example).</summary>
    public async Task RecordAsync(PortalDbContext db, AuditEntry entry, CancellationToken cancellationToken)
    {
        Add(db, entry);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>One audited action. <paramref name="Before"/> and <paramref name="After"/> are serialised as JSON.</summary>
public sealed record AuditEntry(
    string Action,
    Guid? ActorUserId,
    string? Target,
    object? Before = null,
    object? After = null,
    Guid? TenantId = null);
