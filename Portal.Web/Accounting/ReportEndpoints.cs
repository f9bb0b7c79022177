using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace Portal.Web.Accounting;

public static class ReportEndpoints
{
    /// <summary>
    /// GET /reports/export/{table}.csv and /reports/export/{table}.xlsx ?from=yyyy-MM-dd&amp;to=yyyy-MM-dd[&amp;all=true]:
    /// the same figures the Reports page shows.
    /// </summary>
    public static WebApplication MapPortalReports(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/reports/export/{table}.csv", (string table, string from, string to, bool? all, HttpContext http, [FromServices] UsageReports reports) =>
            ExportAsync(table, from, to, all, http, reports, (report, name) =>
                Results.File(System.Text.Encoding.UTF8.GetBytes(ReportCsv.Write(report, name)), "text/csv; charset=utf-8", $"usage-{name}-{from}-{to}.csv"))).RequireAuthorization();
        app.MapGet("/reports/export/{table}.xlsx", (string table, string from, string to, bool? all, HttpContext http, [FromServices] UsageReports reports) =>
            ExportAsync(table, from, to, all, http, reports, (report, name) =>
                Results.File(ReportXlsx.Write(report, name), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"usage-{name}-{from}-{to}.xlsx"))).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> ExportAsync(string table, string from, string to, bool? all, HttpContext http, UsageReports reports, Func<UsageReport, string, IResult> file)
    {
        if (ReportScope.For(http.User, all == true) is not { } scope)
        {
            return Results.NotFound();
        }

        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end) || end < start)
        {
            return Results.BadRequest("Give the period as from=yyyy-MM-dd and to=yyyy-MM-dd, the end not before the start.");
        }

        if (!ReportCsv.Tables.Contains(table) || (table == "tenants" && scope.TenantId is not null))
        {
            return Results.NotFound();
        }

        var report = await reports.BuildAsync(scope, start, end, http.RequestAborted);
        return file(report, table);
    }
}
