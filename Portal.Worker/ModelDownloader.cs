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

    /// <summary>Tries of one load's download: a stream that broke off is resumed this many times in all.</summary>
    private const int Attempts = 3;

    /// <summary>Where the test fault "cut-download" breaks the first download off.</summary>
    private const long CutAfterBytes = 64 * 1024;

    private int pendingCuts = options.Value.Fault == "cut-download" ? 1 : 0;

    // The download's pace is watched per read (DownloadStallSeconds), not as a whole: a large file on a slow link takes as long as it takes.
    private readonly HttpClient http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// Downloads the model of <paramref name="request"/> to <paramref name="target"/>; <paramref name="progress"/>
    /// hears (bytes, total) about every second. A download that broke off is resumed from its partial file (an
    /// HTTP range), here up to <see cref="Attempts"/> times and at the next load; a resumed file whose hash is
    /// wrong is fetched once more from the start.
    /// </summary>
    public async Task DownloadAsync(ModelLoadRequest request, string target, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        var expected = request.Sha256 ?? throw new InferenceException("The portal gave no SHA-256 for the model, so a download could not be checked; it was not fetched.");
        var folder = Path.GetDirectoryName(target)!;
        var fileName = Path.GetFileName(target);

        // Named by the expected hash: a part of another version of the file is never resumed.
        var partial = Path.Combine(folder, $".{fileName}.{expected[..Math.Min(16, expected.Length)]}.download");
        var restarted = false;
        for (var attempt = 1; ; attempt++)
        {
            var resumeAt = File.Exists(partial) ? new FileInfo(partial).Length : 0;
            if (resumeAt >= request.SizeBytes)
            {
                // Nothing left to ask for, yet it was never checked and moved: start over.
                File.Delete(partial);
                resumeAt = 0;
            }

            string sha256;
            try
            {
                sha256 = await FetchAsync(request, partial, resumeAt, progress, cancellationToken);
            }
            catch (DownloadInterruptedException ex) when (attempt < Attempts)
            {
                LogInterrupted(ex.Message, attempt);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
                continue;
            }
            catch (DownloadInterruptedException ex)
            {
                throw new InferenceException($"{ex.Message} The part that arrived is kept; the next load resumes it.");
            }
            catch
            {
                File.Delete(partial);
                throw;
            }

            if (string.Equals(sha256, expected, StringComparison.OrdinalIgnoreCase))
            {
                if (File.Exists(target))
                {
                    LogReplacing(target);
                }

                File.Move(partial, target, overwrite: true);
                LogDownloaded(request.ModelId, target);
                return;
            }

            File.Delete(partial);
            if (resumeAt > 0 && !restarted)
            {
                // The kept part may have been the wrong bytes: once more, from the first byte.
                LogResumedWrong(resumeAt);
                restarted = true;
                continue;
            }

            throw new InferenceException($"The downloaded file's SHA-256 {sha256} does not match the portal's registered {expected}; the download was deleted and the model is not loaded on this node.");
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>
    /// Requests the file (from <paramref name="resumeAt"/> when a part is kept) and streams it to <paramref name="partial"/>,
    /// hashing as it goes; the file is flushed to disk before its hash is returned. A stream that breaks off or stalls
    /// throws <see cref="DownloadInterruptedException"/> and keeps what arrived.
    /// </summary>
    private async Task<string> FetchAsync(ModelLoadRequest request, string partial, long resumeAt, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var folder = Path.GetDirectoryName(partial)!;
        if (request.SizeBytes is { } declared)
        {
            RefuseWithoutRoom(folder, declared - resumeAt, settings.KeepFreeBytes);
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.Portal!, ModelDownloads.FilePath(request.ModelId)));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.NodeKey);
        if (resumeAt > 0)
        {
            // Only the same file continues the part: another one (its tag differs) comes whole.
            message.Headers.Range = new RangeHeaderValue(resumeAt, null);
            message.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue($"\"{request.Sha256}\""));
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new DownloadInterruptedException($"The portal could not be reached for the model download: {ex.Message}");
        }

        using (response)
        {
            var resumed = response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange is { From: { } from, Length: not null } && from == resumeAt;
            if (response.StatusCode != HttpStatusCode.OK && !resumed)
            {
                throw new InferenceException(response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "The portal refused this node's key for the model download.",
                    HttpStatusCode.NotFound => "The portal does not offer this model's file (it is not loaded there any more).",
                    _ => $"The portal answered the model download with HTTP {(int)response.StatusCode}.",
                });
            }

            var length = resumed ? response.Content.Headers.ContentRange!.Length!.Value
                : response.Content.Headers.ContentLength ?? throw new InferenceException("The portal sent the model file without its length.");
            if (request.SizeBytes is { } size && size != length)
            {
                throw new InferenceException($"The portal's file for the model has {length} bytes, not the registered {size}; it was not fetched.");
            }

            var start = resumed ? resumeAt : 0;
            RefuseWithoutRoom(folder, length - start, settings.KeepFreeBytes);
            if (resumed)
            {
                LogResuming(request.ModelId, start, length);
            }
            else
            {
                LogDownloading(request.ModelId, length, Path.GetFileName(partial));
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            if (resumed)
            {
                await HashAsync(partial, hash, cancellationToken);
            }

            await using var file = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var received = await CopyAsync(body, file, hash, start, length, progress, cancellationToken);
            if (received != length)
            {
                throw new DownloadInterruptedException($"The model download ended early: {received} of {length} bytes arrived.");
            }

            await file.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
            await progress(received, length);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
    }

    /// <summary>Copies the body to the file and the hash, reporting and logging progress; returns the bytes the file holds.</summary>
    private async Task<long> CopyAsync(Stream body, FileStream file, IncrementalHash hash, long received, long length, Func<long, long, Task> progress, CancellationToken cancellationToken)
    {
        var stall = TimeSpan.FromSeconds(options.Value.DownloadStallSeconds);
        var buffer = new byte[BufferSize];
        var lastReport = time.GetTimestamp();
        var logEvery = Math.Max(length / 10, 1);
        var nextLog = (received / logEvery + 1) * logEvery;
        var cutAt = Volatile.Read(ref pendingCuts) > 0 ? Math.Min(CutAfterBytes, length - 1) : long.MaxValue;
        using var pace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            pace.CancelAfter(stall);
            int read;
            try
            {
                read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Clamp(cutAt - received, 1, buffer.Length)), pace.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DownloadInterruptedException($"The model download stalled: no byte came for {stall.TotalSeconds:0} s after {received} of {length} bytes.");
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw new DownloadInterruptedException($"The model download broke off after {received} of {length} bytes: {ex.Message}");
            }

            if (read == 0)
            {
                return received;
            }

            received += read;
            if (received > length)
            {
                throw new InferenceException($"The portal sent more than the {length} bytes it announced for the model file.");
            }

            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            if (received >= cutAt && Interlocked.Exchange(ref pendingCuts, 0) == 1)
            {
                throw new DownloadInterruptedException($"The model download broke off after {received} of {length} bytes: cut by the test fault switch.");
            }
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
    }

    private static async Task HashAsync(string path, IncrementalHash hash, CancellationToken cancellationToken)
    {
        await using var kept = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = new byte[BufferSize];
        int read;
        while ((read = await kept.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the download of model {ModelId} at {Bytes} of {Total} bytes")]
    private partial void LogResuming(string modelId, long bytes, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason} Resuming (try {Attempt})")]
    private partial void LogInterrupted(string reason, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The download resumed at {Bytes} bytes has the wrong SHA-256; downloading it again from the start")]
    private partial void LogResumedWrong(long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model download {Percent} %: {Bytes} of {Total} bytes")]
    private partial void LogProgress(long percent, long bytes, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replacing {Path}: its SHA-256 is not the portal's")]
    private partial void LogReplacing(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded model {ModelId} to {Path}; its SHA-256 matches the portal's")]
    private partial void LogDownloaded(string modelId, string path);
}

/// <summary>A download that broke off or stalled: what arrived is kept, to be resumed.</summary>
internal sealed class DownloadInterruptedException(string message) : Exception(message);
