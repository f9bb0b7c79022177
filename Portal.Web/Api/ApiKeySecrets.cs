using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Web.Api;

/// <summary>
/// The shape of an API key: <c>pk-</c>, a public key id (12 characters, finds the row), a dot, and
/// 32 random bytes in base64url. Only the SHA-256 of the whole key is stored, compared in constant time.
/// </summary>
public static class ApiKeySecrets
{
    public const string Prefix = "pk-";

    public const int KeyIdLength = 12;

    /// <summary>A new key: what is stored (<paramref name="keyId"/>, <paramref name="hash"/>) and the secret shown once.</summary>
    public static string Create(out string keyId, out byte[] hash)
    {
        keyId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(9)); // 12 characters
        var secret = $"{Prefix}{keyId}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}";
        hash = Hash(secret);
        return secret;
    }

    /// <summary>The key id of a well-formed key; null for anything else.</summary>
    public static string? KeyIdOf(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        if (!presented.StartsWith(Prefix, StringComparison.Ordinal) || presented.Length > 100)
        {
            return null;
        }

        var dot = presented.IndexOf('.', StringComparison.Ordinal);
        return dot == Prefix.Length + KeyIdLength && presented.Length > dot + 1 ? presented[Prefix.Length..dot] : null;
    }

    public static byte[] Hash(string presented) => SHA256.HashData(Encoding.UTF8.GetBytes(presented));

    /// <summary>True when <paramref name="presented"/> hashes to <paramref name="storedHash"/> (constant time).</summary>
    public static bool Matches(string presented, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);
}
