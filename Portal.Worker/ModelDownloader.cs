using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.Inference.Engine;
using Portal.Inference.Nodes;

namespace Portal.Worker;

/// <summary>
/// Fetches a model file this node lacks from the portal (<see cref="ModelDownloads.Route"/>, with the node
/// key). The bytes go to a temporary file in the models folder while their SHA-256 is computed; only a file
/// whose hash is the portal's registered one is moved into place (a rename on the same disk), so the
/// folder never holds a partial or wrong model under the model's name. A refused download leaves nothing.
/// </summary>
internal sealed partial class ModelDownloader(IOptions<WorkerOptions> options, TimeProvider time, ILogger<ModelDownloader> logger) : IDisposable
{
    private const int BufferSize = 1 << 20;

    // The download's pace is watched per read (DownloadStallSeconds), not as a whole: a large file on a slow link takes as long as it takes.
    private readonly HttpClient http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Downloads the model of <paramref name="request"/> to <paramref name="target"/>; <paramref name="progress"/> hears (bytes, total) about every second.</summary>
    public async Task DownloadAsync(ModelLoadRequest request, string target, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var expected = request.Sha256 ?? throw new InferenceException("The portal gave no SHA-256 for the model, so a download could not be checked; it was not fetched.");
        var folder = Path.GetDirectoryName(target)!;
        var fileName = Path.GetFileName(target);
        if (request.SizeBytes is { } declared)
        {
            RefuseWithoutRoom(folder, declared, settings.KeepFreeBytes);
        }

        var temporary = Path.Combine(folder, $".{fileName}.{expected[..Math.Min(16, expected.Length)]}.download");
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.Portal!, ModelDownloads.FilePath(request.ModelId)));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.NodeKey);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InferenceException(response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "The portal refused this node's key for the model download.",
                HttpStatusCode.NotFound => "The portal does not offer this model's file (it is not loaded there any more).",
                _ => $"The portal answered the model download with HTTP {(int)response.StatusCode}.",
            });
        }

        var length = response.Content.Headers.ContentLength ?? request.SizeBytes
            ?? throw new InferenceException("The portal sent the model file without its length.");
        if (request.SizeBytes is { } size && size != length)
        {
            throw new InferenceException($"The portal's file for the model has {length} bytes, not the registered {size}; it was not fetched.");
        }

        RefuseWithoutRoom(folder, length, settings.KeepFreeBytes);
        LogDownloading(request.ModelId, length, fileName);
        var moved = false;
        try
        {
            var sha256 = await CopyAsync(response, temporary, length, progress, cancellationToken);
            if (!string.Equals(sha256, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new InferenceException($"The downloaded file's SHA-256 {sha256} does not match the portal's registered {expected}; the download was deleted and the model is not loaded on this node.");
            }

            if (File.Exists(target))
            {
                LogReplacing(target);
            }

            File.Move(temporary, target, overwrite: true);
            moved = true;
            LogDownloaded(request.ModelId, target);
        }
        finally
        {
            if (!moved)
            {
                File.Delete(temporary);
            }
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>Streams the body to <paramref name="temporary"/>, hashing as it goes; the file is flushed to disk before its hash is returned.</summary>
    private async Task<string> CopyAsync(HttpResponseMessage response, string temporary, long length, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        var stall = TimeSpan.FromSeconds(options.Value.DownloadStallSeconds);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long received = 0;
        var lastReport = time.GetTimestamp();
        var logEvery = Math.Max(length / 10, 1);
        var nextLog = logEvery;
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
        {
            using var pace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            while (true)
            {
                pace.CancelAfter(stall);
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, pace.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new InferenceException($"The model download stalled: no byte came for {stall.TotalSeconds:0} s after {received} of {length} bytes.");
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw new InferenceException($"The model download broke off after {received} of {length} bytes: {ex.Message}");
                }

                if (read == 0)
                {
                    break;
                }

                received += read;
                if (received > length)
                {
                    throw new InferenceException($"The portal sent more than the {length} bytes it announced for the model file.");
                }

                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                if (time.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(1))
                {
                    lastReport = time.GetTimestamp();
                    await progress(received, length);
                }

                if (received >= nextLog && received < length)
                {
                    LogProgress(received * 100 / length, received, length);
                    nextLog += logEvery;
                }
            }

            if (received != length)
            {
                throw new InferenceException($"The model download ended early: {received} of {length} bytes arrived.");
            }

            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }

        await progress(received, length);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Refuses before any byte is fetched when the folder's disk cannot take the file (and the space kept free).</summary>
    private static void RefuseWithoutRoom(string folder, long bytes, long keepFree)
    {
        var free = new DriveInfo(folder).AvailableFreeSpace;
        if (free - keepFree < bytes)
        {
            throw new InferenceException(
                $"This node's models folder '{folder}' has {Megabytes(free)} free; the model's file needs {Megabytes(bytes)}"
                + (keepFree > 0 ? $" and {Megabytes(keepFree)} is kept free (--keep-free-bytes)" : "")
                + ". Free some space or give the node another --models folder.");
        }
    }

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.#} MiB";

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloading model {ModelId} from the portal: {Bytes} bytes, to {FileName}")]
    private partial void LogDownloading(string modelId, long bytes, string fileName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model download {Percent} %: {Bytes} of {Total} bytes")]
    private partial void LogProgress(long percent, long bytes, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replacing {Path}: its SHA-256 is not the portal's")]
    private partial void LogReplacing(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded model {ModelId} to {Path}; its SHA-256 matches the portal's")]
    private partial void LogDownloaded(string modelId, string path);
}
