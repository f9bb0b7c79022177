using System.Globalization;
using CsvHelper;

namespace Portal.Web.Audit;

/// <summary>
/// <c>GET /audit/export.csv</c>: every entry the page's filter matches, within the reader's access,
/// streamed as CSV. Cells that a spreadsheet would run as a formula (<c>=</c>, <c>+</c>, <c>-</c>,
/// <c>@</c>) are escaped: a target or JSON value is data an attacker may have chosen.
/// </summary>
internal static class AuditCsvExport
{
    public const string Path = "/audit/export.csv";

    private static readonly CsvWriterOptions Csv = new() { Injection = CsvInjection.Escape };

    public static async Task<IResult> ExportAsync(HttpContext httpContext, AuditSearch search)
    {
        var access = AuditAccess.From(httpContext.User);
        if (access is null)
        {
            return Results.Forbid();
        }

        AuditFilter filter;
        try
        {
            filter = AuditFilter.Parse(httpContext.Request.Query);
        }
        catch (FormatException e)
        {
            return Results.BadRequest(e.Message);
        }

        var cancellationToken = httpContext.RequestAborted;
        httpContext.Response.ContentType = "text/csv; charset=utf-8";
        httpContext.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv\"";
        await using var csv = CsvWriter.Create(httpContext.Response.Body, Csv, leaveOpen: true);
        await csv.WriteRecordAsync(Headers, cancellationToken);
        await foreach (var row in search.ExportAsync(access, filter, cancellationToken))
        {
            var entry = row.Entry;
            await csv.WriteRecordAsync(
            [
                entry.Id.ToString(CultureInfo.InvariantCulture),
                entry.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                entry.TenantId?.ToString(),
                row.TenantName ?? (entry.TenantId is null ? "(platform)" : null),
                entry.ActorUserId?.ToString(),
                row.ActorName,
                entry.Action,
                entry.Target,
                entry.Before,
                entry.After,
                entry.Sequence?.ToString(CultureInfo.InvariantCulture),
                entry.PreviousHash,
                entry.Hash,
            ], cancellationToken);
        }

        await csv.FlushAsync(cancellationToken);
        return Results.Empty;
    }

    private static readonly string[] Headers =
        ["Id", "OccurredAtUtc", "TenantId", "Tenant", "ActorUserId", "Actor", "Action", "Target", "Before", "After", "Sequence", "PreviousHash", "Hash"];
}
