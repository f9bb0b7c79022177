using System.Buffers;

namespace Portal.Inference.Gguf;

/// <summary>Whole-file operations on a GGUF model that stream rather than load it.</summary>
public static class GgufFile
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>Lower-case hex SHA-256 of the file, read in 1 MiB chunks.</summary>
    public static async Task<string> ComputeSha256Async(string path, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await ComputeSha256Async(file, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lower-case hex SHA-256 of the rest of <paramref name="stream"/>, read in 1 MiB chunks.</summary>
    public static async Task<string> ComputeSha256Async(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var hasher = new Sha256Hasher();
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
            }

            return hasher.Finish();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
