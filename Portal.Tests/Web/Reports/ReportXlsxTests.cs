using System.IO.Compression;
using MiniExcelLibs;
using Portal.Web.Accounting;

namespace Portal.Tests.Web.Reports;

/// <summary>The XLSX export: typed cells with the page's numbers, and names that stay text.</summary>
public sealed class ReportXlsxTests
{
    private static readonly DateOnly Day = new(2026, 11, 2);

    [Fact]
    public void Xlsx_ReadsBackIntoTheNumbersOfTheReport()
    {
        var report = Report(
            new ReportRow("Ada", 12, 1_200, 3_400, 1, 2, 0.1235m, [0.1820m, 0.0035m]),
            new ReportRow("Grace", 3, 300, 50, 0, 0, 12.5m, [0.0055m, 0.0002m]));

        var rows = Read(ReportXlsx.Write(report, "people"));

        Assert.Equal(
            report.ByPerson.Select(p => (p.Label, p.Requests, p.PromptTokens, p.CompletionTokens, p.Tokens, p.RefusalRate, p.OnPremCost, p.CloudCosts[0])),
            rows.Select(r => ((string)r["Label"], (long)(double)r["Requests"], (long)(double)r["PromptTokens"], (long)(double)r["CompletionTokens"], (long)(double)r["Tokens"],
                (double)r["RefusalRate"], Math.Round((decimal)(double)r["OnPremCost EUR"], 4), Math.Round((decimal)(double)r["Frontier tier EUR"], 4))));
    }

    [Fact]
    public void Xlsx_KeepsAFormulaLikeNameAsText()
    {
        const string Name = "=HYPERLINK(\"http://evil.test\",\"click\")";
        var bytes = ReportXlsx.Write(Report(new ReportRow(Name, 1, 1, 1, 0, 0, 0m, [0m, 0m]), new ReportRow("@SUM(1+1)", 1, 1, 1, 0, 0, 0m, [0m, 0m])), "people");

        using var zip = new ZipArchive(new MemoryStream(bytes));
        using var sheet = new StreamReader(zip.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal) && e.FullName.EndsWith(".xml", StringComparison.Ordinal)).Open());
        var xml = sheet.ReadToEnd();
        Assert.DoesNotContain("<x:f>", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<f>", xml, StringComparison.Ordinal);
        Assert.Equal([Name, "@SUM(1+1)"], Read(bytes).Select(r => (string)r["Label"]));
    }

    [Fact]
    public void Xlsx_OfAnEmptyTable_HasItsHeader()
    {
        var bytes = ReportXlsx.Write(Report(), "people");

        var header = MiniExcel.Query(new MemoryStream(bytes)).Cast<IDictionary<string, object>>().First();

        Assert.Equal("Label", header["A"]);
        Assert.Equal("OnPremCost EUR", header["J"]);
    }

    private static List<IDictionary<string, object>> Read(byte[] bytes) =>
        [.. MiniExcel.Query(new MemoryStream(bytes), useHeaderRow: true).Cast<IDictionary<string, object>>()];

    private static UsageReport Report(params ReportRow[] people) => new(
        Day, Day, "EUR", ["Frontier tier", "Open-weight API tier"], new ReportRow("Total", 0, 0, 0, 0, 0, 0m, [0m, 0m]), people.Length,
        [], people, [], [], [], []);
}
