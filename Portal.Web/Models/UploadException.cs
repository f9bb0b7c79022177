namespace Portal.Web.Models;

/// <summary>Why an upload request was refused; each maps to one HTTP status.</summary>
public enum UploadFailure
{
    NotFound,

    /// <summary>The offset does not continue the file, or the upload is not complete yet.</summary>
    Conflict,
    TooLarge,

    /// <summary>The file is not an acceptable model (validator, hash, duplicate); the upload is gone.</summary>
    Refused,

    /// <summary>The disk refused a write; what was received is kept and the upload can resume.</summary>
    StorageFull,
}

/// <summary>An upload request refused with a reason meant for the person uploading.</summary>
public sealed class UploadException(UploadFailure failure, string message) : Exception(message)
{
    public UploadFailure Failure { get; } = failure;

    /// <summary>For <see cref="UploadFailure.Conflict"/>: the bytes the server holds, so a client can resume there.</summary>
    public long? ReceivedBytes { get; init; }
}
