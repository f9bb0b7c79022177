namespace Portal.Web.Accounting;

/// <summary>
/// A report's exportable tables as a header and typed cells (text, whole numbers, rates, money to four
/// places), the one source the CSV and XLSX exports format: both carry the numbers the page shows.
/// </summary>
public static class ReportTables
{
    public static IReadOnlyList<string> Names { get; } = ["days", "people", "models", "workspaces", "tenants", "speeds"];

    public static (IReadOnlyList<string> Header, IEnumerable<object[]> Rows) Of(UsageReport report, string table)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (table == "speeds")
        {
            return (["Model", "Answers", "MedianTimeToFirstTokenMs", "MedianTokensPerSecond"],
                report.Speeds.Select(s => new object[] { s.Model, s.Answers, s.MedianTimeToFirstTokenMs, s.MedianTokensPerSecond }));
        }

        var rows = table switch
        {
            "days" => report.ByDay,
            "people" => report.ByPerson,
            "models" => report.ByModel,
            "workspaces" => report.ByWorkspace,
            "tenants" => report.ByTenant,
            _ => throw new ArgumentException($"There is no table “{table}”; export one of: {string.Join(", ", Names)}.", nameof(table)),
        };
        return (
            ["Label", "Requests", "PromptTokens", "CompletionTokens", "Tokens", "Refused", "Failed", "RefusalRate", "FailureRate", $"OnPremCost {report.Currency}",
                .. report.CloudTiers.Select(t => $"{t} {report.Currency}")],
            rows.Select(r => (object[])[r.Label, r.Requests, r.PromptTokens, r.CompletionTokens, r.Tokens, r.Refused, r.Failed, r.RefusalRate, r.FailureRate, r.OnPremCost,
                .. r.CloudCosts.Cast<object>()]));
    }
}
