using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Portal.Data;

namespace Portal.Web.Identity;

/// <summary>
/// <c>builder.AddPortalAuthentication()</c>: the portal cookie, local accounts, Entra ID and a
/// generic OpenID Connect provider when configured, the authorization policies, the bootstrap
/// administrator, and the active tenant handed to the data layer.
/// </summary>
public static class AuthenticationExtensions
{
    /// <summary>The Entra ID scheme (Microsoft.Identity.Web), registered when <c>AzureAd:ClientId</c> is set.</summary>
    public const string EntraScheme = "Entra";

    /// <summary>The generic OpenID Connect scheme, registered when an <c>Oidc</c> section exists.</summary>
    public const string OidcScheme = "Oidc";

    public const string SignInPath = "/account/signin";

    public const string AccessDeniedPath = "/account/access-denied";

    public static IHostApplicationBuilder AddPortalAuthentication(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddPortalCookie();
        builder.AddLocalAccounts();
        builder.AddExternalSignIn();
        builder.AddEntraId();
        builder.AddGenericOidc();
        builder.AddPortalAuthorization();
        builder.AddBootstrapAdmin();
        builder.AddActiveTenant();
        return builder;
    }

    /// <summary>Authentication, then the active tenant for the data layer, then authorization.</summary>
    public static WebApplication UsePortalAuthentication(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseMiddleware<ActiveTenantMiddleware>();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>One cookie for every kind of sign-in, holding the portal's own claims.</summary>
    private static void AddPortalCookie(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalSessionOptions>().BindConfiguration(PortalSessionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultSignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.LoginPath = SignInPath;
                options.LogoutPath = "/account/signout";
                options.AccessDeniedPath = AccessDeniedPath;
                options.ReturnUrlParameter = "returnUrl";
                options.Cookie.Name = ".Portal.Session";
                options.Cookie.HttpOnly = true;
                // Secure whenever the portal is reached over HTTPS (behind a TLS proxy: forward the scheme).
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                options.Events.OnSigningIn = PortalSessionRevalidation.StampStartAsync;
                options.Events.OnValidatePrincipal = PortalSessionRevalidation.ValidatePrincipalAsync;
            });
    }

    /// <summary>ASP.NET Core Identity over the portal database: password hashing and lockout.</summary>
    private static void AddLocalAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LocalAccountOptions>().BindConfiguration(LocalAccountOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddIdentityCore<LocalAccount>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager();
        services.AddOptions<IdentityOptions>().Configure<IOptions<LocalAccountOptions>>((identity, local) =>
        {
            // No account lockout: SignInThrottle limits failures per address and source instead.
            identity.Lockout.AllowedForNewUsers = false;
            identity.Password.RequiredLength = local.Value.MinimumPasswordLength;
            identity.User.RequireUniqueEmail = true;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<PortalSessionFactory>();
        services.TryAddSingleton<SessionInvalidation>();
        services.TryAddScoped<LocalSignIn>();
        services.AddOptions<InvitationOptions>().BindConfiguration(InvitationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddScoped<PasswordSetup>();
        services.TryAddScoped<PasswordChange>();
        services.TryAddScoped<PendingInvitations>();
        services.TryAddSingleton<SignInThrottle>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<Microsoft.AspNetCore.RateLimiting.RateLimiterOptions>().Configure<IOptions<LocalAccountOptions>>((limiter, local) =>
        {
            SignInThrottle.AddSourcePolicy(limiter, local.Value);
            limiter.OnRejected = SignInThrottle.OnRejectedAsync;
        });
    }

    private static void AddExternalSignIn(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ExternalSignInOptions>().BindConfiguration(ExternalSignInOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddScoped<ExternalSignIn>();
    }

    /// <summary>Microsoft Entra ID through Microsoft.Identity.Web, signing in to the portal cookie.</summary>
    private static void AddEntraId(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("AzureAd");
        if (string.IsNullOrWhiteSpace(section["ClientId"]))
        {
            return;
        }

        // cookieScheme null: Identity.Web adds no cookie of its own; the portal cookie is the sign-in scheme.
        builder.Services.AddAuthentication()
            .AddMicrosoftIdentityWebApp(section, EntraScheme, cookieScheme: null, displayName: "Microsoft Entra ID");
        builder.Services.Configure<OpenIdConnectOptions>(EntraScheme, options =>
        {
            options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.MapInboundClaims = false; // keep tid, oid, roles as the token names them
            ExternalSignInEvents.Attach(options, ReadEntraIdentity);
        });
    }

    /// <summary>A generic OpenID Connect provider (Keycloak, ADFS) for sites without Entra ID.</summary>
    private static void AddGenericOidc(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(GenericOidcOptions.SectionName);
        if (!section.Exists())
        {
            return;
        }

        builder.Services.AddOptions<GenericOidcOptions>().BindConfiguration(GenericOidcOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddAuthentication().AddOpenIdConnect(OidcScheme, section["DisplayName"] ?? "Single sign-on", _ => { });
        builder.Services.AddOptions<OpenIdConnectOptions>(OidcScheme).Configure<IOptions<GenericOidcOptions>>((options, configured) =>
        {
            var oidc = configured.Value;
            options.Authority = oidc.Authority;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.CallbackPath = oidc.CallbackPath;
            options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            options.ResponseType = "code";
            options.UsePkce = true;
            options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.MapInboundClaims = false;
            options.Scope.Clear();
            options.Scope.Add("openid");
            options.Scope.Add("profile");
            ExternalSignInEvents.Attach(options, principal => ReadGenericIdentity(principal, oidc));
        });
    }

    private static void AddPortalAuthorization(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthorizationBuilder().AddPortalPolicies();
        builder.Services.AddCascadingAuthenticationState();
        // Add, not TryAdd: it must win over the plain provider Blazor registers, whichever is called first.
        builder.Services.AddScoped<AuthenticationStateProvider, PortalRevalidatingAuthenticationStateProvider>();
    }

    private static void AddBootstrapAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BootstrapAdminOptions>().BindConfiguration(BootstrapAdminOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<BootstrapAdmin>();
    }

    /// <summary>The data layer's tenant follows the active tenant: per request and per Blazor circuit.</summary>
    private static void AddActiveTenant(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddScoped<ActiveTenantMiddleware>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, ActiveTenantCircuitHandler>());
    }

    private static ExternalIdentity? ReadEntraIdentity(ClaimsPrincipal principal)
    {
        var tenantId = principal.GetTenantId();
        var objectId = principal.GetObjectId();
        var issuer = IssuerOf(principal, "oid");
        if (string.IsNullOrEmpty(tenantId) || string.IsNullOrEmpty(objectId) || string.IsNullOrEmpty(issuer))
        {
            return null;
        }

        // preferred_username is whatever the directory lets people type: shown, never trusted. Entra says
        // an e-mail is verified through its optional claim xms_edov (e-mail domain owner verified).
        // Identity.Web renames "email" to the long claim type.
        var email = principal.FindFirst("email")?.Value ?? principal.FindFirst(ClaimTypes.Email)?.Value;
        return new ExternalIdentity(
            EntraScheme,
            issuer,
            tenantId,
            objectId,
            principal.FindFirst("name")?.Value ?? objectId,
            email ?? principal.FindFirst("preferred_username")?.Value,
            email is not null && IsTrue(principal, "xms_edov"),
            Values(principal, "roles", ClaimTypes.Role),
            Values(principal, "groups"));
    }

    private static ExternalIdentity? ReadGenericIdentity(ClaimsPrincipal principal, GenericOidcOptions oidc)
    {
        var subject = principal.FindFirst("sub");
        var issuer = IssuerOf(principal, "sub");
        if (subject is null || string.IsNullOrEmpty(issuer))
        {
            return null;
        }

        // A configured tenant claim narrows the issuer; its value alone is never trusted as a directory id.
        var directory = issuer;
        if (!string.IsNullOrEmpty(oidc.TenantClaim))
        {
            var claimed = principal.FindFirst(oidc.TenantClaim)?.Value;
            if (string.IsNullOrEmpty(claimed))
            {
                return null;
            }

            directory = $"{issuer}#{claimed}";
        }

        var email = principal.FindFirst("email")?.Value;
        return new ExternalIdentity(
            OidcScheme,
            issuer,
            directory,
            subject.Value,
            principal.FindFirst("name")?.Value ?? principal.FindFirst("preferred_username")?.Value ?? subject.Value,
            email,
            email is not null && IsTrue(principal, "email_verified"),
            Values(principal, oidc.RoleClaim),
            Values(principal, oidc.GroupsClaim));
    }

    /// <summary>The validated token's issuer: its "iss" claim, which the handler's claim actions drop, or the issuer it stamped on every claim.</summary>
    private static string? IssuerOf(ClaimsPrincipal principal, string subjectClaim) =>
        principal.FindFirst("iss")?.Value ?? principal.FindFirst(subjectClaim)?.Issuer;

    private static bool IsTrue(ClaimsPrincipal principal, string claimType) =>
        principal.FindFirst(claimType)?.Value is { } value && (bool.TryParse(value, out var on) ? on : value == "1");

    private static List<string> Values(ClaimsPrincipal principal, params string[] claimTypes) =>
        claimTypes.SelectMany(principal.FindAll).Select(c => c.Value).Distinct(StringComparer.Ordinal).ToList();
}
