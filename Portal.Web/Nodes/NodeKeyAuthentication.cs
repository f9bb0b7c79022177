using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace Portal.Web.Nodes;

/// <summary>
/// The node hub's own scheme: a node key as a bearer token (the SignalR client sends it in the
/// Authorization header, or as access_token on the hub's path). Only the node hub asks for this scheme,
/// so a node key opens nothing else, and a person's cookie does not open the node hub.
/// </summary>
public sealed class NodeKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    NodeKeys keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "NodeKey";
    public const string Policy = "Node";
    public const string KeyIdClaim = "portal:node_key";
    public const string LocalWorkerClaim = "portal:local_worker";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = null;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = header["Bearer ".Length..].Trim();
        }
        else if (Request.Path.StartsWithSegments(NodeHub.Path))
        {
            key = Request.Query["access_token"];
        }

        if (string.IsNullOrEmpty(key))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await keys.AuthenticateAsync(key, Context.RequestAborted);
        if (identity is null)
        {
            return AuthenticateResult.Fail("The node key is wrong or revoked.");
        }

        List<Claim> claims = [new(ClaimTypes.Name, identity.Name)];
        if (identity.KeyId is { } keyId)
        {
            claims.Add(new Claim(KeyIdClaim, keyId.ToString()));
        }

        if (identity.LocalWorkerId is { } worker)
        {
            claims.Add(new Claim(LocalWorkerClaim, worker));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    /// <summary>A plain 401 for a machine: no status page for people in its place.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }

        return base.HandleChallengeAsync(properties);
    }
}
