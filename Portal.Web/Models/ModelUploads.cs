using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Models;
using Portal.Inference.Gguf;
using Portal.Web.Audit;

namespace Portal.Web.Models;

/// <summary>
/// Resumable model uploads: bytes stream from the request body to a partial file in the models
/// folder and through SHA-256 on the way, chunk after chunk; the bytes received are the partial
/// file's length. On completion the file is checked (size, expected hash, GGUF validator), renamed
/// to the name the portal chose, and only then registered. A refused upload leaves nothing behind.
/// </summary>
public sealed partial class ModelUploads(
    ModelFolder folder,
    ModelCatalog catalog,
    IOptions<ModelStorageOptions> options,
    IServiceScopeFactory scopes,
    TimeProvider time,
    ILogger<ModelUploads> logger)
{
    private const int BufferBytes = 1 << 20;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<Guid, UploadSlot> _slots = new();

    public async Task<UploadStatus> StartAsync(StartUploadRequest request, Guid userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = options.Value.MaxUploadBytes;
        if (request.Size <= 0)
        {
            throw new UploadException(UploadFailure.Refused, "The file is empty: a model upload needs its size in bytes.");
        }

        if (request.Size > limit)
        {
            throw new UploadException(UploadFailure.TooLarge, $"The file is {request.Size:N0} bytes; uploads are limited to {limit:N0} bytes (Portal:Models:MaxUploadBytes).");
        }

        var expected = request.ExpectedSha256?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(expected))
        {
            expected = null;
        }
        else if (expected.Length != 64 || !expected.All(char.IsAsciiHexDigit))
        {
            throw new UploadException(UploadFailure.Refused, "The expected SHA-256 must be 64 hexadecimal characters.");
        }

        folder.EnsureExists();
        RequireFreeSpace(request.Size);
        var id = Guid.NewGuid();
        var now = time.GetUtcNow();
        var state = new UploadState
        {
            Id = id,
            ClientFileName = request.FileName ?? "",
            StoredFileName = StoredFileName.For(request.FileName, id),
            Size = request.Size,
            ExpectedSha256 = expected,
            StartedBy = userId,
            StartedAt = now,
            LastActivityAt = now,
        };
        await SaveStateAsync(state, cancellationToken);
        await using (File.Create(folder.PartialFileOf(id)))
        {
            // An empty partial file from the start: chunks only ever open an existing one.
        }

        _slots[id] = new UploadSlot(state);
        LogStarted(id, state.StoredFileName, state.Size);
        return Status(state, 0);
    }

    public async Task<UploadStatus> GetStatusAsync(Guid id, Guid userId, CancellationToken cancellationToken)
    {
        var slot = await SlotAsync(id, userId, cancellationToken);

        // After a cut-off chunk, its request may still be writing what arrived: answer once it is done.
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            RequireLive(slot);
            return Status(slot.State, ReceivedBytes(id));
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>
    /// Appends <paramref name="body"/> at <paramref name="offset"/>, which must be where the file ends.
    /// A body cut off halfway keeps what arrived; the next request resumes from there.
    /// </summary>
    public async Task<UploadStatus> AppendAsync(Guid id, Guid userId, long offset, Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var slot = await SlotAsync(id, userId, cancellationToken);
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            RequireLive(slot);
            var state = slot.State;
            long received;
            await using (var file = new FileStream(folder.PartialFileOf(id), FileMode.Open, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
            {
                received = file.Length;
                if (offset != received)
                {
                    throw new UploadException(UploadFailure.Conflict, $"The upload continues at byte {received:N0}, not {offset:N0}.") { ReceivedBytes = received };
                }

                var hasher = await HasherAtAsync(slot, file, cancellationToken);
                file.Seek(received, SeekOrigin.Begin);
                try
                {
                    received = await CopyAsync(body, file, hasher, state, cancellationToken);
                }
                finally
                {
                    if (hasher.BytesHashed != file.Length)
                    {
                        // A write failed halfway: the next chunk hashes the prefix again from disk.
                        slot.DropHasher();
                    }
                }
            }

            slot.State = state with { LastActivityAt = time.GetUtcNow() };
            await SaveStateAsync(slot.State, CancellationToken.None);
            return Status(slot.State, received);
        }
        catch (UploadException e) when (e.Failure == UploadFailure.TooLarge)
        {
            End(slot);
            throw;
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>Checks the finished file and registers it as a model; a refused file is deleted.</summary>
    public async Task<CompletedUpload> CompleteAsync(Guid id, Guid userId, CancellationToken cancellationToken)
    {
        var slot = await SlotAsync(id, userId, cancellationToken);
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            RequireLive(slot);
            var state = slot.State;
            var partial = folder.PartialFileOf(id);
            var received = ReceivedBytes(id);
            if (received != state.Size)
            {
                throw new UploadException(UploadFailure.Conflict, $"Only {received:N0} of {state.Size:N0} bytes have arrived; send the rest before completing.") { ReceivedBytes = received };
            }

            try
            {
                var sha256 = await FinishHashAsync(slot, partial, cancellationToken);
                if (state.ExpectedSha256 is { } expected && expected != sha256)
                {
                    throw new UploadException(UploadFailure.Refused, $"The file's SHA-256 is {sha256}, not the expected {expected}: it was changed or damaged on the way.");
                }

                ValidateGguf(partial);
                var stored = folder.PathOf(state.StoredFileName);
                File.Move(partial, stored, overwrite: false);
                var model = await RegisterAsync(stored, state, userId, cancellationToken);
                End(slot);
                LogCompleted(id, model.StoredFileName, model.Sha256);
                return model;
            }
            catch (UploadException e) when (e.Failure == UploadFailure.Refused)
            {
                await RefuseAsync(slot, userId, e.Message);
                throw;
            }
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>Stops an upload and deletes what it received.</summary>
    public async Task CancelAsync(Guid id, Guid userId, CancellationToken cancellationToken)
    {
        var slot = await SlotAsync(id, userId, cancellationToken);
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            RequireLive(slot);
            End(slot);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>
    /// Deletes uploads that received nothing for <see cref="ModelStorageOptions.AbandonUploadsAfter"/>,
    /// and partial files with no upload behind them. Returns how many were removed.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder.UploadsPath))
        {
            return 0;
        }

        var removed = 0;
        var cutoff = time.GetUtcNow() - options.Value.AbandonUploadsAfter;
        foreach (var path in Directory.EnumerateFiles(folder.UploadsPath))
        {
            if (!Guid.TryParseExact(Path.GetFileNameWithoutExtension(path), "N", out var id))
            {
                continue;
            }

            var state = _slots.TryGetValue(id, out var live) ? live.State : await TryReadStateAsync(id, cancellationToken);
            if (state is null)
            {
                // A partial file without its state file: nobody can ever complete it.
                File.Delete(path);
                removed++;
                continue;
            }

            if (state.LastActivityAt >= cutoff || Path.GetExtension(path) != ".json")
            {
                continue;
            }

            var slot = _slots.GetOrAdd(id, _ => new UploadSlot(state));
            if (!await slot.Gate.WaitAsync(0, cancellationToken))
            {
                continue; // a chunk is arriving right now: not abandoned after all
            }

            try
            {
                End(slot);
                removed++;
                LogAbandoned(id);
            }
            finally
            {
                slot.Gate.Release();
            }
        }

        return removed;
    }

    private static async Task<long> CopyAsync(Stream body, FileStream file, Sha256Hasher hasher, UploadState state, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            var received = file.Length;
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferBytes), cancellationToken)) > 0)
            {
                if (received + read > state.Size)
                {
                    throw new UploadException(UploadFailure.TooLarge, $"More bytes arrived than the {state.Size:N0} the upload declared; the upload was discarded.");
                }

                await WriteAsync(file, buffer.AsMemory(0, read), cancellationToken);
                hasher.Append(buffer.AsSpan(0, read));
                received += read;
            }

            await file.FlushAsync(cancellationToken);
            return received;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteAsync(FileStream file, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await file.WriteAsync(bytes, cancellationToken);
        }
        catch (IOException e)
        {
            throw new UploadException(UploadFailure.StorageFull, $"The models folder refused the write ({e.Message}). What arrived so far is kept: free space, then resume.");
        }
    }

    /// <summary>The upload's hasher, fed with the bytes already on disk when it does not hold them (after a restart or a failed write).</summary>
    private static async Task<Sha256Hasher> HasherAtAsync(UploadSlot slot, FileStream file, CancellationToken cancellationToken)
    {
        if (slot.Hasher is { } hasher && hasher.BytesHashed == file.Length)
        {
            return hasher;
        }

        slot.DropHasher();
        hasher = new Sha256Hasher();
        slot.Hasher = hasher;
        file.Seek(0, SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(0, BufferBytes), cancellationToken)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return hasher;
    }

    private static async Task<string> FinishHashAsync(UploadSlot slot, string partial, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var hasher = await HasherAtAsync(slot, file, cancellationToken);
        var sha256 = hasher.Finish();
        slot.DropHasher();
        return sha256;
    }

    private static void ValidateGguf(string partial)
    {
        try
        {
            using var file = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            GgufInspector.Validate(file);
        }
        catch (GgufValidationException e)
        {
            throw new UploadException(UploadFailure.Refused, $"The file is not a usable GGUF model ({e.Code}): {e.Message}");
        }
    }

    private async Task<CompletedUpload> RegisterAsync(string stored, UploadState state, Guid userId, CancellationToken cancellationToken)
    {
        ModelEntry model;
        try
        {
            model = await catalog.RegisterFileAsync(stored, isTestModel: false, cancellationToken);
        }
        catch (Exception e) when (e is GgufValidationException or ModelCatalogException)
        {
            File.Delete(stored);
            throw new UploadException(UploadFailure.Refused, e is GgufValidationException invalid
                ? $"The file is not a usable GGUF model ({invalid.Code}): {invalid.Message}"
                : e.Message);
        }
        catch
        {
            // Registration is the last step: whatever stopped it, no unregistered file stays behind.
            File.Delete(stored);
            throw;
        }

        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await services.GetRequiredService<AuditLog>().RecordAsync(services.GetRequiredService<PortalDbContext>(), new AuditEntry(
            "model.uploaded",
            userId,
            $"model:{model.Id}",
            After: new { model.Name, model.FileName, model.SizeBytes, model.Sha256, state.ClientFileName, model.Architecture, model.Quantisation }),
            CancellationToken.None);
        return new CompletedUpload(model.Id, model.Name, model.FileName, model.SizeBytes, model.Sha256);
    }

    private async Task RefuseAsync(UploadSlot slot, Guid userId, string reason)
    {
        var state = slot.State;
        End(slot);
        LogRefused(state.Id, reason);
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        await services.GetRequiredService<AuditLog>().RecordAsync(
            services.GetRequiredService<PortalDbContext>(),
            new AuditEntry("model.upload_refused", userId, $"upload:{state.Id}", After: new { state.ClientFileName, state.Size, Reason = reason }),
            CancellationToken.None);
    }

    /// <summary>
    /// The upload, for the admin who started it only: anyone else gets the same "not found" as for an
    /// upload that does not exist.
    /// </summary>
    private async Task<UploadSlot> SlotAsync(Guid id, Guid userId, CancellationToken cancellationToken)
    {
        if (!_slots.TryGetValue(id, out var slot))
        {
            // Known from an earlier run of the portal: the state file survives restarts.
            var state = await TryReadStateAsync(id, cancellationToken) ?? throw NotFound(id);
            slot = _slots.GetOrAdd(id, _ => new UploadSlot(state));
        }

        return slot.State.StartedBy == userId ? slot : throw NotFound(id);
    }

    /// <summary>
    /// Checked after taking the gate: a request that found the upload before it was completed, cancelled,
    /// refused or swept must not bring it back.
    /// </summary>
    private static void RequireLive(UploadSlot slot)
    {
        if (slot.Ended)
        {
            throw NotFound(slot.State.Id);
        }
    }

    /// <summary>Ends an upload for good: its files go, and requests already waiting for it find it ended.</summary>
    private void End(UploadSlot slot)
    {
        slot.Ended = true;
        DeleteFiles(slot.State.Id);
        _slots.TryRemove(slot.State.Id, out _);
    }

    private static UploadException NotFound(Guid id) =>
        new(UploadFailure.NotFound, $"No upload {id} is in progress (finished, refused, cancelled or abandoned).");

    /// <summary>Refuses an upload the disk cannot hold while keeping the database's reserve free.</summary>
    private void RequireFreeSpace(long size)
    {
        var free = new DriveInfo(folder.UploadsPath).AvailableFreeSpace;
        var pending = _slots.Values.Where(s => !s.Ended).Sum(s => Math.Max(0, s.State.Size - ReceivedBytes(s.State.Id)));
        var reserve = options.Value.FreeSpaceReserveBytes;
        if (size > free - reserve - pending)
        {
            throw new UploadException(UploadFailure.StorageFull,
                $"The file ({size:N0} bytes) does not fit: the models folder's disk has {free:N0} bytes free, uploads in progress still need {pending:N0} "
                + $"and {reserve:N0} are kept free for the database (Portal:Models:FreeSpaceReserveBytes). Free space and start again.");
        }
    }

    private long ReceivedBytes(Guid id)
    {
        var partial = new FileInfo(folder.PartialFileOf(id));
        return partial.Exists ? partial.Length : 0;
    }

    private async Task SaveStateAsync(UploadState state, CancellationToken cancellationToken) =>
        await File.WriteAllTextAsync(folder.StateFileOf(state.Id), JsonSerializer.Serialize(state, Json), cancellationToken);

    private async Task<UploadState?> TryReadStateAsync(Guid id, CancellationToken cancellationToken)
    {
        var path = folder.StateFileOf(id);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<UploadState>(file, Json, cancellationToken);
    }

    private void DeleteFiles(Guid id)
    {
        File.Delete(folder.PartialFileOf(id));
        File.Delete(folder.StateFileOf(id));
        if (_slots.TryGetValue(id, out var slot))
        {
            slot.DropHasher();
        }
    }

    private static UploadStatus Status(UploadState state, long received) =>
        new(state.Id, state.ClientFileName, state.StoredFileName, state.Size, received);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} started: {StoredFileName}, {Size} bytes")]
    private partial void LogStarted(Guid uploadId, string storedFileName, long size);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upload {UploadId} registered as {StoredFileName} (SHA-256 {Sha256})")]
    private partial void LogCompleted(Guid uploadId, string storedFileName, string sha256);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upload {UploadId} refused: {Reason}")]
    private partial void LogRefused(Guid uploadId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Abandoned upload {UploadId} removed")]
    private partial void LogAbandoned(Guid uploadId);

    /// <summary>One upload in memory: its state, a gate so chunks never interleave, and the running hash.</summary>
    private sealed class UploadSlot(UploadState state)
    {
        public UploadState State { get; set; } = state;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Sha256Hasher? Hasher { get; set; }

        /// <summary>Completed, cancelled, refused or swept: never written to again.</summary>
        public bool Ended { get; set; }

        public void DropHasher()
        {
            Hasher?.Dispose();
            Hasher = null;
        }
    }
}
