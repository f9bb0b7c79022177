using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Inference.Nodes;
using Portal.Web.Models;

namespace Portal.Web.Nodes;

/// <summary>
/// <c>GET /api/nodes/models/{modelId}/file</c>: the GGUF file of a model the portal has loaded (or is
/// loading), for a node that lacks it. Node keys only (<see cref="NodeKeyAuthentication"/>): no cookie,
/// API key or anonymous caller gets it. The file is found by the model's id in the catalog, never by a
/// path from the request, and is sent from disk as it is read (ranges allowed, so a node may resume).
/// The node checks the bytes against the SHA-256 of its load request.
/// </summary>
public static partial class ModelFileEndpoint
{
    public static IEndpointRouteBuilder MapModelFileDownloads(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(ModelDownloads.Route, ServeAsync).RequireAuthorization(NodeKeyAuthentication.Policy);
        return app;
    }

    private static async Task<IResult> ServeAsync(string modelId, HttpContext http, [FromServices] PortalDbContext db, [FromServices] ModelCatalog catalog, [FromServices] ILoggerFactory loggers)
    {
        // A machine reads the answer: no status page for people in place of a 404.
        if (http.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }

        var logger = loggers.CreateLogger(typeof(ModelFileEndpoint));
        var node = http.User.Identity?.Name ?? "?";
        if (!Guid.TryParseExact(modelId, "N", out var entryId))
        {
            return NotOffered(logger, node, modelId);
        }

        var entry = await db.ModelEntries.AsNoTracking().FirstOrDefaultAsync(m => m.Id == entryId, http.RequestAborted);

        // Only a model the portal runs is offered to nodes: not a disabled, failed or merely registered one, nor an endpoint.
        if (entry is not { Kind: ModelKind.GgufFile, IsEnabled: true, State: ModelState.Loaded or ModelState.Loading }
            || entry.FileName != Path.GetFileName(entry.FileName))
        {
            return NotOffered(logger, node, modelId);
        }

        var path = catalog.PathOf(entry);
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return NotOffered(logger, node, modelId);
        }

        LogServing(logger, node, entry.Name, file.Length, http.Request.Headers.Range.ToString());
        return Results.File(
            path,
            "application/octet-stream",
            lastModified: file.LastWriteTimeUtc,
            entityTag: new EntityTagHeaderValue($"\"{entry.Sha256}\""),
            enableRangeProcessing: true);
    }

    private static IResult NotOffered(ILogger logger, string node, string modelId)
    {
        LogNotOffered(logger, node, modelId.Length > 64 ? modelId[..64] : modelId);
        return Results.Text("The portal offers no file for this model id: it is not a loaded model of the catalog.", statusCode: StatusCodes.Status404NotFound);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} downloads model {Name} ({Bytes} bytes, range '{Range}')")]
    private static partial void LogServing(ILogger logger, string node, string name, long bytes, string range);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} asked for the file of '{ModelId}', which is not offered")]
    private static partial void LogNotOffered(ILogger logger, string node, string modelId);
}
