using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Portal.Inference;
using Portal.Inference.Engine;

namespace Portal.Web.Nodes;

public static class NodesExtensions
{
    /// <summary>
    /// The inference engine the portal uses: by default (<see cref="InferenceMode.Processes"/>) supervised
    /// worker processes over the node hub; with Portal:Workers:Mode = InProcess, llama.cpp in this process.
    /// The node hub, its key scheme and node keys exist in both modes.
    /// </summary>
    public static IHostApplicationBuilder AddInferenceNodes(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<NodeOptions>()
            .BindConfiguration(NodeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<NodeRegistry>();
        builder.Services.TryAddSingleton<NodeKeys>();
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, NodeKeyAuthentication>(NodeKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy(NodeKeyAuthentication.Policy, policy => policy
            .AddAuthenticationSchemes(NodeKeyAuthentication.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(c => c.User.Identity?.AuthenticationType == NodeKeyAuthentication.SchemeName));
        builder.Services.AddSignalR().AddHubOptions<NodeHub>(o => o.MaximumReceiveMessageSize = 16 * 1024 * 1024);

        var mode = builder.Configuration.GetSection(NodeOptions.SectionName).GetValue(nameof(NodeOptions.Mode), InferenceMode.Processes);
        if (mode == InferenceMode.InProcess)
        {
            builder.AddInference();
        }
        else
        {
            builder.Services.TryAddSingleton<LocalWorkers>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalWorkers>());
            builder.Services.TryAddSingleton<IInferenceEngine, NodeEngine>();
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapInferenceNodes(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHub<NodeHub>(NodeHub.Path);
        app.MapModelFileDownloads();
        return app;
    }
}
