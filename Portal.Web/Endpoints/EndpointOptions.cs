using System.ComponentModel.DataAnnotations;

namespace Portal.Web.Endpoints;

/// <summary>How the portal talks to external engines (endpoint models); section "Portal:Endpoints".</summary>
public sealed class EndpointOptions
{
    public const string SectionName = "Portal:Endpoints";

    /// <summary>Seconds to open a TCP (and TLS) connection to the engine.</summary>
    [Range(1, 300)]
    public int ConnectTimeoutSeconds { get; set; } = 10;

    /// <summary>Seconds from sending a request to the engine's response headers (an engine may queue first).</summary>
    [Range(1, 3600)]
    public int ResponseTimeoutSeconds { get; set; } = 120;

    /// <summary>Seconds the engine may stay silent in the middle of a streamed answer.</summary>
    [Range(1, 3600)]
    public int IdleTimeoutSeconds { get; set; } = 60;

    /// <summary>Seconds "Test connection" waits for the engine's model list.</summary>
    [Range(1, 300)]
    public int TestTimeoutSeconds { get; set; } = 10;
}
