using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Api;

/// <summary>The OpenAI-compatible API under /v1; section "Portal:Api".</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Portal:Api";

    /// <summary>Largest request body on /v1, in bytes; a larger one is refused with 413.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most stop sequences in one request (OpenAI allows 4).</summary>
    [Range(0, 16)]
    public int MaxStopSequences { get; set; } = 4;
}
