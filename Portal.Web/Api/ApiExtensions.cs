using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Web.Api;

public static class ApiExtensions
{
    /// <summary>The authorization policy of /v1: the API key scheme alone (the portal cookie does not count there).</summary>
    public const string ApiPolicy = "PortalApi";

    /// <summary>The OpenAI-compatible API: options "Portal:Api", the API key scheme and policy, the key administration.</summary>
    public static IHostApplicationBuilder AddPortalApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ApiModels>();
        services.TryAddScoped<ApiKeyAdministration>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiPolicy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());
        return builder;
    }

    /// <summary><c>GET /v1/models</c>, <c>GET /v1/models/{id}</c> and <c>POST /v1/chat/completions</c>; anything else under /v1 is a 404 in OpenAI's shape.</summary>
    public static WebApplication MapPortalApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var v1 = app.MapGroup("/v1").RequireAuthorization(ApiPolicy).DisableAntiforgery();
        v1.MapGet("/models", ModelsEndpoint.ListAsync);
        v1.MapGet("/models/{**id}", ModelsEndpoint.GetAsync);
        v1.MapPost("/chat/completions", ChatCompletionsEndpoint.HandleAsync);
        // A catch-all route, not MapFallback: a fallback inside this group was never matched, and the 404 became the HTML page.
        v1.Map("/{**path}", UnknownRouteAsync);
        return app;
    }

    /// <summary>A client asking for an API this portal does not serve gets OpenAI's error shape, not the portal's HTML page.</summary>
    private static Task UnknownRouteAsync(HttpContext http) =>
        OpenAiErrors.WriteAsync(
            http,
            StatusCodes.Status404NotFound,
            $"Unknown request URL: {http.Request.Method} {http.Request.Path}. This portal serves GET /v1/models and POST /v1/chat/completions.",
            "invalid_request_error",
            "unknown_url");
}
