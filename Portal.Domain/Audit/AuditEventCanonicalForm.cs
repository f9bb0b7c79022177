using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Domain.Audit;

/// <summary>
/// The exact bytes an audit entry's hash is taken over, and the hash itself. Version 1, UTF-8, one
/// line per field in this fixed order:
/// <code>
/// portal-audit-v1
/// chain:{ChainId}            Guid, "D" format, lower case
/// sequence:{Sequence}        invariant integer
/// tenant:{TenantId}          Guid "D", or "-" for none
/// actor:{ActorUserId}        Guid "D", or "-" for none
/// action:{n}:{Action}        n = UTF-8 byte length of the value, then the value as is
/// target:{n}:{Target}        or "target:-" for none (null and "" differ)
/// before:{n}:{Before}
/// after:{n}:{After}
/// occurred:{UtcTicks}        100 ns ticks since 0001-01-01 UTC, invariant integer
/// previous:{PreviousHash}    lower-case hex, empty for the first entry of a chain
/// </code>
/// Lengths make the form unambiguous whatever a value contains (new lines, colons). The row id is not
/// part of it: the database assigns it after the hash is taken. Timestamps are cut to whole
/// microseconds before hashing (<see cref="Truncate"/>), the finest precision every provider keeps.
/// </summary>
public static class AuditEventCanonicalForm
{
    public const string Version = "portal-audit-v1";

    public static byte[] Serialize(AuditEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var text = new StringBuilder(256)
            .Append(Version).Append('\n')
            .Append("chain:").Append(Id(entry.ChainId)).Append('\n')
            .Append("sequence:").Append((entry.Sequence ?? 0).ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("tenant:").Append(entry.TenantId is { } tenant ? Id(tenant) : "-").Append('\n')
            .Append("actor:").Append(entry.ActorUserId is { } actor ? Id(actor) : "-").Append('\n');
        AppendText(text, "action", entry.Action);
        AppendText(text, "target", entry.Target);
        AppendText(text, "before", entry.Before);
        AppendText(text, "after", entry.After);
        text.Append("occurred:").Append(entry.OccurredAt.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("previous:").Append(entry.PreviousHash ?? "").Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>SHA-256 of <see cref="Serialize"/>, lower-case hex (64 characters).</summary>
    public static string ComputeHash(AuditEvent entry) =>
        Convert.ToHexStringLower(SHA256.HashData(Serialize(entry)));

    /// <summary>The instant in UTC, cut to whole microseconds (PostgreSQL's precision).</summary>
    public static DateTimeOffset Truncate(DateTimeOffset instant)
    {
        var ticks = instant.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    private static string Id(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private static void AppendText(StringBuilder text, string name, string? value)
    {
        text.Append(name).Append(':');
        if (value is null)
        {
            text.Append('-');
        }
        else
        {
            text.Append(Encoding.UTF8.GetByteCount(value).ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
        }

        text.Append('\n');
    }
}
