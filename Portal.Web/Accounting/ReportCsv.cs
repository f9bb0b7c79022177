using System.Globalization;
using CsvHelper;

namespace Portal.Web.Accounting;

/// <summary>A report's tables as CSV, numbers in the invariant culture: they read back exactly as the page shows them.</summary>
public static class ReportCsv
{
    /// <summary>Money to four places, the same on the page and in the file.</summary>
    public const string MoneyFormat = "0.0000";

    public static IReadOnlyList<string> Tables => ReportTables.Names;

    /// <summary>Labels are names people chose (a person, a workspace): a cell a spreadsheet would run as a formula is escaped.</summary>
    private static readonly CsvWriterOptions Csv = new() { Injection = CsvInjection.Escape };

    public static string Write(UsageReport report, string table)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, Csv, true))
        {
            var (header, rows) = ReportTables.Of(report, table);
            csv.WriteRecord([.. header]);
            foreach (var row in rows)
            {
                csv.WriteRecord([.. row.Select(Text)]);
            }
        }

        return text.ToString();
    }

    private static string Text(object cell) => cell switch
    {
        decimal money => money.ToString(MoneyFormat, CultureInfo.InvariantCulture),
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };
}
