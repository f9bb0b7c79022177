using OpenTelemetry.Exporter;

namespace Portal.Web.Operations;

/// <summary>
/// OpenTelemetry settings (section <c>Portal:Telemetry</c>). Everything is off by default: the portal
/// then registers no provider and its instruments record into nothing.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Portal:Telemetry";

    /// <summary>Traces: a span per HTTP request and per generation.</summary>
    public SignalSettings Tracing { get; set; } = new();

    /// <summary>Metrics: the portal's meter "Portal" and ASP.NET Core's own.</summary>
    public SignalSettings Metrics { get; set; } = new();

    public PrometheusSettings Prometheus { get; set; } = new();

    public OtlpSettings Otlp { get; set; } = new();

    /// <summary>The resource's <c>service.name</c>.</summary>
    public string ServiceName { get; set; } = "portal";

    public bool MetricsOn => Metrics.Enabled || Prometheus.Enabled;

    public sealed class SignalSettings
    {
        public bool Enabled { get; set; }
    }

    public sealed class PrometheusSettings
    {
        /// <summary>Serves the scrape endpoint (and switches metrics on).</summary>
        public bool Enabled { get; set; }

        public string Path { get; set; } = "/metrics";

        /// <summary>
        /// Networks (CIDR) whose addresses may scrape without signing in; unset: loopback only
        /// (<see cref="LoopbackNetworks"/>). A signed-in platform administrator may always read it.
        /// </summary>
        public string[]? AllowedNetworks { get; set; }

        public static readonly string[] LoopbackNetworks = ["127.0.0.0/8", "::1/128"];

        public IReadOnlyList<string> EffectiveNetworks => AllowedNetworks ?? LoopbackNetworks;
    }

    public sealed class OtlpSettings
    {
        /// <summary>Collector address; when set, every enabled signal is also exported there.</summary>
        public string? Endpoint { get; set; }

        public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.Grpc;
    }
}
