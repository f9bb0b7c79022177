using System.Security.Cryptography;
using System.Text;

namespace Portal.Domain.Models;

/// <summary>
/// Where an endpoint model is served: an OpenAI-compatible engine that a platform admin named. Owned by
/// its <see cref="ModelEntry"/> (stored in the same row). The key is kept only as Data Protection's
/// ciphertext; the portal never shows it back.
/// </summary>
public sealed class ModelEndpoint
{
    public const int MaxBaseUrlLength = 500;
    public const int MaxRemoteModelLength = 200;
    public const int MaxProtectedKeyLength = 4000;

    /// <summary>Absolute http(s) URL of the engine's OpenAI API root, e.g. <c>http://gpu-01:8000/v1</c>.</summary>
    public required string BaseUrl { get; set; }

    /// <summary>The model's name on the remote engine (what its <c>/v1/models</c> lists).</summary>
    public required string RemoteModel { get; set; }

    /// <summary>The API key, protected with ASP.NET Core Data Protection; null when the engine needs none.</summary>
    public string? ProtectedApiKey { get; set; }

    /// <summary>Tokens of context the remote model serves (prompt and answer together).</summary>
    public int ContextSize { get; set; } = 8192;

    /// <summary>Most tokens one answer may take on the remote.</summary>
    public int MaxOutputTokens { get; set; } = 1024;

    /// <summary>Answers the portal sends to the remote at once before it shows further ones as queued.</summary>
    public int ParallelRequests { get; set; } = 16;

    /// <summary>The unique identity of a remote model: SHA-256 of its base URL and name, lower-case hex.</summary>
    public static string IdentityHash(string baseUrl, string remoteModel) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"endpoint\n{baseUrl.TrimEnd('/')}\n{remoteModel}")));
}
