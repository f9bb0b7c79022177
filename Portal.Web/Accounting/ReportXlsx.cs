using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Portal.Web.Accounting;

/// <summary>
/// A report's table as an XLSX workbook (MiniExcel): numbers as number cells, money rounded to four places as
/// on the page, and every label as a text cell, so a name such as “=HYPERLINK(…)” stays text and never runs.
/// </summary>
public static class ReportXlsx
{
    public static byte[] Write(UsageReport report, string table)
    {
        var (header, rows) = ReportTables.Of(report, table);
        var sheet = rows.Select(row =>
        {
            var line = new Dictionary<string, object>(header.Count, StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++)
            {
                line[header[i]] = row[i];
            }

            return line;
        }).ToList();
        using var stream = new MemoryStream();
        var configuration = new OpenXmlConfiguration { EnableWriteNullValueCell = true, TableStyles = TableStyles.None, AutoFilter = false };
        if (sheet.Count == 0)
        {
            // MiniExcel takes the header from the rows: an empty table is written as its header line alone.
            MiniExcel.SaveAs(stream, new[] { header.ToDictionary(h => h, h => (object)h, StringComparer.Ordinal) }, printHeader: false, sheetName: table, configuration: configuration);
        }
        else
        {
            MiniExcel.SaveAs(stream, sheet, sheetName: table, configuration: configuration);
        }

        return stream.ToArray();
    }
}
