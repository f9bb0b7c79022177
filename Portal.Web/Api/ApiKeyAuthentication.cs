using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Domain.Api;
using Portal.Web.Audit;
using Portal.Web.Chat;

namespace Portal.Web.Api;

/// <summary>The key a /v1 request was authenticated with, and the caller it acts as.</summary>
public sealed record ApiKeyCaller(Guid KeyId, string KeyName, ChatCaller Caller, IReadOnlyList<Guid> AllowedModelIds);

/// <summary>
/// <c>Authorization: Bearer pk-...</c> on /v1, and nothing else: the key is found by its public id,
/// its hash compared in constant time, and the key (revoked, expired) and the person it acts as
/// (disabled, removed from the tenant, tenant suspended) are read from the database on every request.
/// A refusal is answered in OpenAI's error shape with 401.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IServiceScopeFactory scopes,
    ChatAccess access,
    AuditLog audit,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "PortalApiKey";

    /// <summary>How often "last used" is written at most (a write per request would be a write per token burst).</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.Fail("You didn't provide an API key. Send it as \"Authorization: Bearer pk-...\".");
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || ApiKeySecrets.KeyIdOf(header[7..].Trim()) is not { } keyId)
        {
            return AuthenticateResult.Fail("Incorrect API key provided.");
        }

        var presented = header[7..].Trim();
        await using var scope = scopes.CreateAsyncScope();
        var tenantContext = scope.ServiceProvider.GetRequiredService<ITenantContext>();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        ApiKey? key;
        using (tenantContext.BeginPlatformScope())
        {
            // The tenant is not known before the key is found: its public id is unique across tenants.
            key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyId == keyId, Context.RequestAborted);
        }

        if (key is null || !ApiKeySecrets.Matches(presented, key.SecretHash))
        {
            return AuthenticateResult.Fail("Incorrect API key provided.");
        }

        var now = time.GetUtcNow();
        if (key.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("This API key has been revoked.");
        }

        if (key.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("This API key has expired.");
        }

        var caller = new ChatCaller(key.ActingUserId, key.TenantId);
        if (!await access.CanChatAsync(caller, Context.RequestAborted))
        {
            return AuthenticateResult.Fail("The person this API key acts for may no longer use the portal in this tenant.");
        }

        tenantContext.SetTenant(key.TenantId);
        await MarkUsedAsync(db, key, now);
        Context.Features.Set(new ApiKeyCaller(key.Id, key.Name, caller, key.AllowedModelIds));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, caller.UserId.ToString()), new Claim("portal:api-key", key.Id.ToString())],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <summary>Writes "last used" (at most once a minute); the first use of a key is audited, once, however many requests race.</summary>
    private async Task MarkUsedAsync(PortalDbContext db, ApiKey key, DateTimeOffset now)
    {
        if (key.LastUsedAt is null)
        {
            var first = await db.ApiKeys.Where(k => k.Id == key.Id && k.LastUsedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), CancellationToken.None);
            if (first == 1)
            {
                await audit.RecordAsync(db, new AuditEntry("api-key.first-used", key.ActingUserId, $"api-key:{key.Id}", After: new { key.Name, key.KeyId }, TenantId: key.TenantId), CancellationToken.None);
            }
        }
        else if (key.LastUsedAt < now - LastUsedResolution)
        {
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(set => set.SetProperty(k => k.LastUsedAt, now), CancellationToken.None);
        }
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await OpenAiErrors.WriteAsync(Context, StatusCodes.Status401Unauthorized, result.Failure?.Message ?? "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        OpenAiErrors.WriteAsync(Context, StatusCodes.Status403Forbidden, "This API key may not do this.", "invalid_request_error", "forbidden");
}
