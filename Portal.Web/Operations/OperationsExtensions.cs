using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Portal.Web.Operations;

/// <summary>
/// <c>builder.AddPortalOperations()</c> and <c>app.MapPortalOperations()</c>: the health endpoints,
/// the portal's metrics and spans, and OpenTelemetry with its Prometheus and OTLP exporters when
/// <c>Portal:Telemetry</c> switches them on (everything is off by default).
/// </summary>
public static class OperationsExtensions
{
    public static IHostApplicationBuilder AddPortalOperations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPortalHealthChecks();
        builder.AddPortalTelemetry();
        return builder;
    }

    public static WebApplication MapPortalOperations(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPortalHealth();
        var telemetry = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (telemetry.Prometheus.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(telemetry.Prometheus.Path, meterProvider: null, configureBranchedPipeline: PrometheusAccess.Guard, optionsName: null);
        }

        return app;
    }

    /// <summary>The ready checks; each has a time limit so a hanging database cannot hold a probe.</summary>
    private static void AddPortalHealthChecks(this IHostApplicationBuilder builder)
    {
        var timeout = TimeSpan.FromSeconds(5);
        string[] ready = [HealthEndpoints.ReadyTag];
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ready, timeout: timeout)
            .AddCheck<MigrationsHealthCheck>("migrations", tags: ready, timeout: timeout)
            .AddCheck<ModelsFolderHealthCheck>("models-folder", tags: ready, timeout: timeout)
            .AddCheck<InferenceHealthCheck>("inference", tags: ready, timeout: timeout);
    }

    private static void AddPortalTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<PortalMetrics>();
        services.TryAddSingleton<PrometheusAccess>();

        // What is switched on decides what is registered, so it is read now; the validator reports wrong values at start.
        var settings = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (!settings.MetricsOn && !settings.Tracing.Enabled)
        {
            return;
        }

        var otlp = Uri.TryCreate(settings.Otlp.Endpoint, UriKind.Absolute, out var endpoint) ? endpoint : null;
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(settings.ServiceName));
        if (settings.MetricsOn)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(PortalMetrics.Name).AddAspNetCoreInstrumentation();
                if (settings.Prometheus.Enabled)
                {
                    // No response cache: a scrape shows what was recorded up to that moment.
                    metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(exporter => (exporter.Endpoint, exporter.Protocol) = (SignalEndpoint(otlp, settings.Otlp.Protocol, "v1/metrics"), settings.Otlp.Protocol));
                }
            });
        }

        if (settings.Tracing.Enabled)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(PortalMetrics.Name)
                    .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsProbe(context.Request.Path, settings));
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(exporter => (exporter.Endpoint, exporter.Protocol) = (SignalEndpoint(otlp, settings.Otlp.Protocol, "v1/traces"), settings.Otlp.Protocol));
                }
            });
        }
    }

    /// <summary>
    /// Over HTTP each signal has a path of its own under the collector's address (as the OTEL_EXPORTER_OTLP_ENDPOINT
    /// variable has it); the exporter appends it only to that variable, not to an address set in code.
    /// </summary>
    private static Uri SignalEndpoint(Uri collector, OtlpExportProtocol protocol, string signalPath) =>
        protocol == OtlpExportProtocol.HttpProtobuf && collector.AbsolutePath == "/"
            ? new Uri(collector, signalPath)
            : collector;

    /// <summary>Health probes and scrapes come every few seconds and say nothing about users' requests: they get no span.</summary>
    private static bool IsProbe(PathString path, TelemetryOptions settings) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || (settings.Prometheus.Enabled && path.StartsWithSegments(settings.Prometheus.Path, StringComparison.OrdinalIgnoreCase));
}
