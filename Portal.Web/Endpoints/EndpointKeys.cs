using Microsoft.AspNetCore.DataProtection;

namespace Portal.Web.Endpoints;

/// <summary>Protects endpoint API keys at rest with ASP.NET Core Data Protection; the clear key lives only in memory while it is used.</summary>
public sealed class EndpointKeys(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Portal.Endpoints.ApiKey.v1");

    public string Protect(string apiKey) => protector.Protect(apiKey);

    /// <summary>The clear key, or null when none is stored; throws <see cref="System.Security.Cryptography.CryptographicException"/> when the Data Protection keys changed.</summary>
    public string? Unprotect(string? protectedKey) => protectedKey is null ? null : protector.Unprotect(protectedKey);
}
