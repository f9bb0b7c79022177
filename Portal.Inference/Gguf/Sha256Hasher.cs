using System.Security.Cryptography;

namespace Portal.Inference.Gguf;

/// <summary>
/// SHA-256 fed chunk by chunk, so an upload can be hashed while it is written to disk and never
/// needs to be in memory whole.
/// </summary>
public sealed class Sha256Hasher : IDisposable
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesHashed { get; private set; }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        _hash.AppendData(chunk);
        BytesHashed += chunk.Length;
    }

    /// <summary>The lower-case hex digest of everything appended; the hasher starts over afterwards.</summary>
    public string Finish()
    {
        BytesHashed = 0;
        return Convert.ToHexStringLower(_hash.GetHashAndReset());
    }

    public void Dispose() => _hash.Dispose();
}
