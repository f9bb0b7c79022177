using System.Net;
using Microsoft.Extensions.Options;

namespace Portal.Web.Operations;

/// <summary>A wrong telemetry setting stops the start with a message that names it.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = new List<string>();
        var prometheus = options.Prometheus;
        if (prometheus.Enabled && (string.IsNullOrWhiteSpace(prometheus.Path) || !prometheus.Path.StartsWith('/') || prometheus.Path.StartsWith("/health", StringComparison.OrdinalIgnoreCase)))
        {
            errors.Add($"Portal:Telemetry:Prometheus:Path must be a path starting with '/' (and not under /health), not '{prometheus.Path}'.");
        }

        foreach (var network in prometheus.EffectiveNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
        {
            errors.Add($"Portal:Telemetry:Prometheus:AllowedNetworks: '{network}' is not a network in CIDR form such as 10.0.0.0/8 or ::1/128.");
        }

        var endpoint = options.Otlp.Endpoint;
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"Portal:Telemetry:Otlp:Endpoint must be an absolute http or https address, not '{endpoint}'.");
            }

            if (!options.MetricsOn && !options.Tracing.Enabled)
            {
                errors.Add("Portal:Telemetry:Otlp:Endpoint is set but neither Portal:Telemetry:Metrics:Enabled nor Portal:Telemetry:Tracing:Enabled is true: nothing would be exported.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            errors.Add("Portal:Telemetry:ServiceName must not be empty.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
