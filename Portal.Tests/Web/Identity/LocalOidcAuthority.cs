using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Portal.Tests.Web.Identity;

/// <summary>
/// A small OpenID Connect authority shaped like Entra ID's v2.0 endpoints, served over HTTPS on
/// loopback with a certificate made here (Identity.Web refuses http metadata). Whoever signs in
/// next is set with <see cref="SignInAs"/>; every authorize request answers at once with a
/// <c>form_post</c> page, as Entra does after the person has signed in.
/// Routes: <c>/{tenant}/v2.0/.well-known/openid-configuration</c>, <c>/{tenant}/discovery/v2.0/keys</c>,
/// <c>/{tenant}/oauth2/v2.0/authorize</c>, <c>/{tenant}/oauth2/v2.0/token</c>, <c>/{tenant}/oauth2/v2.0/logout</c>.
/// For the tenant segments <c>organizations</c> and <c>common</c> the issuer is Entra's template
/// <c>{base}{tenantid}/v2.0</c>; for any other segment it is <c>{base}{segment}/v2.0</c>.
/// </summary>
public sealed class LocalOidcAuthority : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RsaSecurityKey _signingKey;
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new();
    private LocalOidcSubject? _nextSubject;

    private LocalOidcAuthority(WebApplication app, X509Certificate2 certificate, RsaSecurityKey signingKey)
    {
        _app = app;
        Certificate = certificate;
        _signingKey = signingKey;
    }

    /// <summary>The authority's root, ending in a slash: what Entra calls the <c>Instance</c>.</summary>
    public Uri BaseAddress { get; private set; } = new("https://127.0.0.1/");

    public X509Certificate2 Certificate { get; }

    /// <summary>The token requests this authority answered, newest last (for assertions).</summary>
    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    public static async Task<LocalOidcAuthority> StartAsync(CancellationToken cancellationToken = default)
    {
        var certificate = CreateLoopbackCertificate();
        var signingKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) };

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var authority = new LocalOidcAuthority(app, certificate, signingKey);
        authority.MapEndpoints();
        await app.StartAsync(cancellationToken);

        // Kestrel picks the port; the handlers read BaseAddress per request, so setting it now is in time.
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        authority.BaseAddress = new Uri($"https://127.0.0.1:{new Uri(address).Port}/");
        return authority;
    }

    /// <summary>The issuer this authority writes into tokens for a directory tenant.</summary>
    public string IssuerFor(string tenantId) => $"{BaseAddress}{tenantId}/v2.0";

    /// <summary>The person the next authorize request signs in.</summary>
    public void SignInAs(LocalOidcSubject subject) => _nextSubject = subject;

    /// <summary>A handler that trusts exactly this authority's certificate, and nothing else new.</summary>
    public HttpMessageHandler CreateTrustingHandler()
    {
        var thumbprint = Certificate.Thumbprint;
        return new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    errors == System.Net.Security.SslPolicyErrors.None
                    || certificate is not null && string.Equals(certificate.GetCertHashString(), thumbprint, StringComparison.OrdinalIgnoreCase),
            },
            AllowAutoRedirect = false,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
        _signingKey.Rsa?.Dispose();
    }

    private void MapEndpoints()
    {
        _app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (string tenant) => Results.Json(Discovery(tenant)));
        _app.MapGet("/{tenant}/discovery/v2.0/keys", () => Results.Json(new { keys = new[] { Jwk() } }));
        _app.MapGet("/{tenant}/oauth2/v2.0/authorize", Authorize);
        _app.MapPost("/{tenant}/oauth2/v2.0/token", Token);
        _app.MapGet("/{tenant}/oauth2/v2.0/logout", (HttpRequest request) =>
            request.Query["post_logout_redirect_uri"].ToString() is { Length: > 0 } back
                ? Results.Redirect(back)
                : Results.Text("signed out"));
    }

    private Dictionary<string, object> Discovery(string tenant)
    {
        var issuer = tenant is "organizations" or "common" ? $"{BaseAddress}{{tenantid}}/v2.0" : IssuerFor(tenant);
        var endpoints = $"{BaseAddress}{tenant}/oauth2/v2.0";
        return new Dictionary<string, object>
        {
            ["issuer"] = issuer,
            ["authorization_endpoint"] = $"{endpoints}/authorize",
            ["token_endpoint"] = $"{endpoints}/token",
            ["end_session_endpoint"] = $"{endpoints}/logout",
            ["jwks_uri"] = $"{BaseAddress}{tenant}/discovery/v2.0/keys",
            ["response_types_supported"] = new[] { "code", "id_token", "code id_token" },
            ["response_modes_supported"] = new[] { "query", "fragment", "form_post" },
            ["subject_types_supported"] = new[] { "pairwise" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["scopes_supported"] = new[] { "openid", "profile", "email", "offline_access" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        };
    }

    private Dictionary<string, object> Jwk()
    {
        var parameters = _signingKey.Rsa!.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, object>
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = _signingKey.KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }

    private IResult Authorize(string tenant, HttpRequest request)
    {
        var query = request.Query;
        var subject = _nextSubject ?? throw new InvalidOperationException("The test did not say who signs in: call SignInAs first.");
        var redirectUri = query["redirect_uri"].ToString();
        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = new PendingCode(subject, query["client_id"].ToString(), redirectUri, query["nonce"].ToString(), query["code_challenge"].ToString());

        // Entra's form_post answer: a page whose form posts the code back to the app.
        var html = new StringBuilder()
            .Append("<html><body onload=\"document.forms[0].submit()\"><form method=\"post\" action=\"")
            .Append(HtmlEncoder.Default.Encode(redirectUri)).Append("\">")
            .Append("<input type=\"hidden\" name=\"code\" value=\"").Append(code).Append("\"/>")
            .Append("<input type=\"hidden\" name=\"state\" value=\"").Append(HtmlEncoder.Default.Encode(query["state"].ToString())).Append("\"/>")
            .Append("</form></body></html>");
        return Results.Content(html.ToString(), "text/html");
    }

    private async Task<IResult> Token(string tenant, HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var pending))
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }

        if (form["redirect_uri"] != pending.RedirectUri || !VerifierMatches(form["code_verifier"].ToString(), pending.CodeChallenge))
        {
            return Results.Json(new { error = "invalid_grant", error_description = "redirect_uri or code_verifier mismatch" }, statusCode: StatusCodes.Status400BadRequest);
        }

        var idToken = CreateIdToken(pending);
        IssuedTokens.Enqueue(idToken);
        return Results.Json(new Dictionary<string, object>
        {
            ["token_type"] = "Bearer",
            ["id_token"] = idToken,
            ["access_token"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ["expires_in"] = 3600,
        });
    }

    private string CreateIdToken(PendingCode pending)
    {
        var subject = pending.Subject;
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject.ObjectId,
            ["oid"] = subject.ObjectId,
            ["tid"] = subject.TenantIdClaim ?? subject.TenantId,
            ["ver"] = "2.0",
            ["nonce"] = pending.Nonce,
            ["name"] = subject.Name,
            ["preferred_username"] = subject.PreferredUserName,
        };
        if (subject.Email is { } email)
        {
            claims["email"] = email;
        }

        if (subject.EmailVerified is { } verified)
        {
            // OpenID Connect's standard claim, and Entra's "domain owner verified" optional claim.
            claims["email_verified"] = verified;
            claims["xms_edov"] = verified;
        }

        if (subject.Roles.Count > 0)
        {
            claims["roles"] = subject.Roles.ToArray();
        }

        if (subject.Groups.Count > 0)
        {
            claims["groups"] = subject.Groups.ToArray();
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = IssuerFor(subject.TenantId),
            Audience = subject.Audience ?? pending.ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = claims,
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    private static bool VerifierMatches(string verifier, string challenge)
    {
        if (challenge.Length == 0)
        {
            return true;
        }

        var hashed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return string.Equals(hashed, challenge, StringComparison.Ordinal);
    }

    private static X509Certificate2 CreateLoopbackCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));

        // Re-imported through PKCS#12 so that Kestrel can use the private key on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), password: null);
    }

    private sealed record PendingCode(LocalOidcSubject Subject, string ClientId, string RedirectUri, string Nonce, string CodeChallenge);
}

/// <summary>Who the local authority signs in: directory tenant, object id, app roles and groups.</summary>
public sealed record LocalOidcSubject(string TenantId, string ObjectId, string Name)
{
    public string PreferredUserName { get; init; } = "person@example.test";

    public IReadOnlyList<string> Roles { get; init; } = [];

    public IReadOnlyList<string> Groups { get; init; } = [];

    /// <summary>When set, the <c>tid</c> claim says this instead of the issuer's own tenant (a provider claiming someone else's directory).</summary>
    public string? TenantIdClaim { get; init; }

    /// <summary>An <c>email</c> claim, and whether the provider says it verified it (<c>email_verified</c>, <c>xms_edov</c>).</summary>
    public string? Email { get; init; }

    public bool? EmailVerified { get; init; }

    /// <summary>When set, the id_token is issued for this audience instead of the requesting client.</summary>
    public string? Audience { get; init; }
}
