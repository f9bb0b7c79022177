using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Portal.Web.Identity;

/// <summary>
/// The secret in an invitation or password-reset link: "{record id}.{32 random bytes, base64url}". Only
/// its SHA-256 is stored; the record is found by id and the hashes are compared in constant time.
/// A high-entropy secret needs no slow hash: nobody can guess it from its hash.
/// </summary>
public static class OneTimeSecret
{
    /// <summary>A new link token for <paramref name="recordId"/> and the hash to store.</summary>
    public static (string Token, byte[] Hash) Create(Guid recordId)
    {
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return ($"{recordId:N}.{secret}", Hash(secret));
    }

    /// <summary>Splits a token into the record id and the hash of its secret; false for anything malformed.</summary>
    public static bool TryRead(string? token, out Guid recordId, [NotNullWhen(true)] out byte[]? hash)
    {
        recordId = Guid.Empty;
        hash = null;
        var parts = (token ?? "").Trim().Split('.');
        if (parts.Length != 2 || parts[1].Length is 0 or > 64 || !Guid.TryParseExact(parts[0], "N", out recordId))
        {
            return false;
        }

        hash = Hash(parts[1]);
        return true;
    }

    public static bool Matches(byte[] stored, byte[] presented) => CryptographicOperations.FixedTimeEquals(stored, presented);

    private static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));
}
