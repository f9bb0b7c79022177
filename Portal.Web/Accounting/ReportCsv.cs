using System.Globalization;
using CsvHelper;

namespace Portal.Web.Accounting;

/// <summary>A report's tables as CSV, numbers in the invariant culture: they read back exactly as the page shows them.</summary>
public static class ReportCsv
{
    /// <summary>Money to four places, the same on the page and in the file.</summary>
    public const string MoneyFormat = "0.0000";

    public static IReadOnlyList<string> Tables { get; } = ["days", "people", "models", "workspaces", "tenants", "speeds"];

    /// <summary>Labels are names people chose (a person, a workspace): a cell a spreadsheet would run as a formula is escaped.</summary>
    private static readonly CsvWriterOptions Csv = new() { Injection = CsvInjection.Escape };

    public static string Write(UsageReport report, string table)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, Csv, true))
        {
            foreach (var record in Records(report, table))
            {
                csv.WriteRecord(record);
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string[]> Records(UsageReport report, string table)
    {
        static string N<T>(T value)
            where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

        if (table == "speeds")
        {
            yield return ["Model", "Answers", "MedianTimeToFirstTokenMs", "MedianTokensPerSecond"];
            foreach (var speed in report.Speeds)
            {
                yield return [speed.Model, N(speed.Answers), N(speed.MedianTimeToFirstTokenMs), N(speed.MedianTokensPerSecond)];
            }

            yield break;
        }

        var rows = table switch
        {
            "days" => report.ByDay,
            "people" => report.ByPerson,
            "models" => report.ByModel,
            "workspaces" => report.ByWorkspace,
            "tenants" => report.ByTenant,
            _ => throw new ArgumentException($"There is no table “{table}”; export one of: {string.Join(", ", Tables)}.", nameof(table)),
        };
        yield return [
            "Label", "Requests", "PromptTokens", "CompletionTokens", "Tokens", "Refused", "Failed", "RefusalRate", "FailureRate", $"OnPremCost {report.Currency}",
            .. report.CloudTiers.Select(t => $"{t} {report.Currency}")];
        foreach (var row in rows)
        {
            yield return [
                row.Label, N(row.Requests), N(row.PromptTokens), N(row.CompletionTokens), N(row.Tokens), N(row.Refused), N(row.Failed),
                N(row.RefusalRate), N(row.FailureRate), row.OnPremCost.ToString(MoneyFormat, CultureInfo.InvariantCulture), .. row.CloudCosts.Select(c => c.ToString(MoneyFormat, CultureInfo.InvariantCulture))];
        }
    }
}
