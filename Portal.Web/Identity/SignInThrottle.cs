using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Portal.Web.Identity;

/// <summary>
/// Limits FAILED local sign-ins per address and source (<see cref="LocalAccountOptions.MaxFailedAttempts"/>
/// per window) and per address from anywhere (<see cref="LocalAccountOptions.FailedAttemptsPerAddress"/>).
/// It replaces Identity's account lockout, which anyone who knows an address (the bootstrap admin's is
/// in the docs) could keep closed for good: spraying from one place now closes that place only.
/// Each source is also limited in all its attempts by the rate limiter policy <see cref="SourcePolicy"/>.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const string SourcePolicy = "portal-signin-source";

    private readonly PartitionedRateLimiter<string> _perAddressAndSource;
    private readonly PartitionedRateLimiter<string> _perAddress;

    public SignInThrottle(IOptions<LocalAccountOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        var window = TimeSpan.FromMinutes(settings.ThrottleWindowMinutes);
        _perAddressAndSource = Limiter(settings.MaxFailedAttempts, window);
        _perAddress = Limiter(settings.FailedAttemptsPerAddress, window);
    }

    /// <summary>Whether this address may try again from this source now.</summary>
    public bool MayTry(string email, IPAddress? source) =>
        HasPermits(_perAddressAndSource, Key(email, source)) && HasPermits(_perAddress, Key(email, null));

    /// <summary>Counts a failed sign-in (unknown address, wrong password, or an account that may not sign in).</summary>
    public void Failed(string email, IPAddress? source)
    {
        using var one = _perAddressAndSource.AttemptAcquire(Key(email, source));
        using var two = _perAddress.AttemptAcquire(Key(email, null));
    }

    public void Dispose()
    {
        _perAddressAndSource.Dispose();
        _perAddress.Dispose();
    }

    /// <summary>Every attempt from one source, whatever the address: a source spraying many addresses is slowed too.</summary>
    internal static void AddSourcePolicy(RateLimiterOptions limiter, LocalAccountOptions settings) =>
        limiter.AddPolicy(SourcePolicy, context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.AttemptsPerSource, Window = TimeSpan.FromMinutes(settings.ThrottleWindowMinutes), QueueLimit = 0 }));

    /// <summary>A refused attempt lands on the sign-in page with a sentence that says nothing about the account.</summary>
    internal static ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        context.HttpContext.Response.Redirect($"{AuthenticationExtensions.SignInPath}?error={ThrottledError}");
        return ValueTask.CompletedTask;
    }

    public const string ThrottledError = "throttled";

    private static bool HasPermits(PartitionedRateLimiter<string> limiter, string key) =>
        limiter.GetStatistics(key) is not { CurrentAvailablePermits: <= 0 };

    private static string Key(string email, IPAddress? source) =>
        $"{email.Trim().ToUpperInvariant()}|{source?.ToString() ?? "-"}";

    private static PartitionedRateLimiter<string> Limiter(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(
            key, _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true }));
}
