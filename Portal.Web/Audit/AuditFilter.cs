using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Portal.Web.Audit;

/// <summary>
/// What the Audit page and its CSV export narrow the log to. Times are UTC instants (From inclusive,
/// To exclusive). <see cref="Actor"/> matches a person's e-mail or name (part of it);
/// <see cref="Action"/> is an exact action, or a prefix when it ends in <c>*</c> (<c>signin.*</c>);
/// <see cref="Target"/> matches the start of the target. <see cref="Chain"/> is for platform
/// administrators: empty for every chain, <c>platform</c>, or a tenant id.
/// </summary>
public sealed record AuditFilter(
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Actor = null,
    string? Action = null,
    string? Target = null,
    string? Chain = null)
{
    public const string PlatformChain = "platform";

    /// <summary>The filter as a query string for the export link (<c>?from=...</c>, empty when nothing is set).</summary>
    public string ToQueryString()
    {
        var values = new Dictionary<string, string?>
        {
            ["from"] = From?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["to"] = To?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["actor"] = Actor,
            ["action"] = Action,
            ["target"] = Target,
            ["chain"] = Chain,
        };
        return QueryHelpers.AddQueryString("", values.Where(v => !string.IsNullOrWhiteSpace(v.Value)));
    }

    /// <summary>Reads a filter back from a query string; an unreadable time is an error with the parameter named.</summary>
    public static AuditFilter Parse(IEnumerable<KeyValuePair<string, StringValues>> query)
    {
        var values = query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new AuditFilter(
            Time(values, "from"),
            Time(values, "to"),
            Text(values, "actor"),
            Text(values, "action"),
            Text(values, "target"),
            Text(values, "chain"));
    }

    private static string? Text(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static DateTimeOffset? Time(Dictionary<string, string> values, string name)
    {
        if (Text(values, name) is not { } text)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new FormatException($"'{text}' in '{name}' is not a date and time (use ISO 8601, e.g. 2026-11-30T09:00:00Z).");
    }
}
