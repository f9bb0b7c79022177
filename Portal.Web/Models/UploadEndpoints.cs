using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Portal.Web.Identity;

namespace Portal.Web.Models;

/// <summary>
/// The streaming, resumable model upload API, for platform administrators only:
/// <c>POST /api/admin/uploads</c> {fileName, size, expectedSha256?} starts one;
/// <c>PUT /api/admin/uploads/{id}</c> with <c>Content-Range: bytes start-end/size</c> streams a chunk to disk;
/// <c>GET /api/admin/uploads/{id}</c> says how many bytes arrived (where to resume);
/// <c>POST /api/admin/uploads/{id}/complete</c> validates and registers the model;
/// <c>DELETE /api/admin/uploads/{id}</c> cancels it.
/// Only the admin who started an upload may see, resume, complete or cancel it.
/// Bodies are never buffered: neither IFormFile nor Blazor's InputFile stream is involved.
/// </summary>
public static class UploadEndpoints
{
    public const string BasePath = "/api/admin/uploads";

    public static IEndpointRouteBuilder MapModelUploads(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var uploads = endpoints.MapGroup(BasePath).RequireAuthorization(PortalPolicies.PlatformAdmin);
        uploads.MapPost("/", StartAsync);
        uploads.MapGet("/{id:guid}", StatusAsync);
        uploads.MapPut("/{id:guid}", AppendAsync);
        uploads.MapPost("/{id:guid}/complete", CompleteAsync);
        uploads.MapDelete("/{id:guid}", CancelAsync);
        return endpoints;
    }

    private static Task<IResult> StartAsync([FromBody] StartUploadRequest request, ModelUploads uploads, HttpContext http) =>
        Answer(async () =>
        {
            var status = await uploads.StartAsync(request, CallerId(http), http.RequestAborted);
            return Results.Created($"{BasePath}/{status.Id}", status);
        });

    private static Task<IResult> StatusAsync(Guid id, ModelUploads uploads, HttpContext http) =>
        Answer(async () => Results.Ok(await uploads.GetStatusAsync(id, CallerId(http), http.RequestAborted)));

    private static Task<IResult> AppendAsync(Guid id, ModelUploads uploads, HttpContext http) =>
        Answer(async () =>
        {
            if (!TryReadOffset(http.Request, out var offset))
            {
                return Results.Problem(
                    "A chunk needs 'Content-Range: bytes start-end/size' (or an 'Upload-Offset' header) saying where it belongs.",
                    statusCode: StatusCodes.Status400BadRequest);
            }

            // Chunks may be large; the declared size and the server's own check bound what is written.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = null;
            }

            return Results.Ok(await uploads.AppendAsync(id, CallerId(http), offset, http.Request.Body, http.RequestAborted));
        });

    private static Task<IResult> CompleteAsync(Guid id, ModelUploads uploads, HttpContext http) =>
        Answer(async () => Results.Ok(await uploads.CompleteAsync(id, CallerId(http), http.RequestAborted)));

    private static Task<IResult> CancelAsync(Guid id, ModelUploads uploads, HttpContext http) =>
        Answer(async () =>
        {
            await uploads.CancelAsync(id, CallerId(http), http.RequestAborted);
            return Results.NoContent();
        });

    private static bool TryReadOffset(HttpRequest request, out long offset)
    {
        offset = 0;
        if (ContentRangeHeaderValue.TryParse(request.Headers.ContentRange, out var range) && range.From is { } from)
        {
            offset = from;
            return true;
        }

        return long.TryParse(request.Headers["Upload-Offset"], out offset) && offset >= 0;
    }

    private static Guid CallerId(HttpContext http) =>
        PortalPrincipal.Read(http.User)?.UserId ?? throw new InvalidOperationException("The upload endpoints require a signed-in person.");

    /// <summary>Refusals become problem details with the reason; anything else is a server error.</summary>
    private static async Task<IResult> Answer(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (UploadException e)
        {
            var status = e.Failure switch
            {
                UploadFailure.NotFound => StatusCodes.Status404NotFound,
                UploadFailure.Conflict => StatusCodes.Status409Conflict,
                UploadFailure.TooLarge => StatusCodes.Status413PayloadTooLarge,
                UploadFailure.StorageFull => StatusCodes.Status507InsufficientStorage,
                _ => StatusCodes.Status422UnprocessableEntity,
            };
            var extensions = e.ReceivedBytes is { } received ? new Dictionary<string, object?> { ["receivedBytes"] = received } : null;
            return Results.Problem(e.Message, statusCode: status, extensions: extensions);
        }
    }
}
