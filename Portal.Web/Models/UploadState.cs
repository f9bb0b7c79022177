namespace Portal.Web.Models;

/// <summary>
/// What the portal remembers of one upload between requests (and restarts): a small JSON file beside
/// the partial file. The bytes received so far are the partial file's length, never a stored number.
/// </summary>
public sealed record UploadState
{
    public required Guid Id { get; init; }

    /// <summary>The name the client gave, for display only.</summary>
    public required string ClientFileName { get; init; }

    /// <summary>The name the portal chose for the finished file.</summary>
    public required string StoredFileName { get; init; }

    public required long Size { get; init; }

    /// <summary>Lower-case hex SHA-256 the uploader expects, checked when the upload completes.</summary>
    public string? ExpectedSha256 { get; init; }

    public required Guid StartedBy { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset LastActivityAt { get; init; }
}

/// <summary>What a client learns about an upload: enough to resume it.</summary>
public sealed record UploadStatus(Guid Id, string FileName, string StoredFileName, long Size, long ReceivedBytes);

/// <summary>A request to start an upload.</summary>
public sealed record StartUploadRequest(string FileName, long Size, string? ExpectedSha256);

/// <summary>The model an upload became.</summary>
public sealed record CompletedUpload(Guid ModelId, string Name, string StoredFileName, long Size, string Sha256);
