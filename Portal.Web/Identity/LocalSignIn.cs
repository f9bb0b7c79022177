using Microsoft.AspNetCore.Identity;
using Portal.Data;

namespace Portal.Web.Identity;

/// <summary>
/// Checks an e-mail and password against the local accounts. An unknown address costs the same password
/// check as a known one, so the time taken says nothing about which accounts exist; failures are limited by
/// <see cref="SignInThrottle"/>, not by locking the account.
/// </summary>
public sealed class LocalSignIn(
    UserManager<LocalAccount> users,
    SignInManager<LocalAccount> signIn,
    PortalSessionFactory sessions)
{
    private static readonly LocalAccount Nobody = new() { UserName = "nobody" };

    // Made with Identity's default hasher settings, as every stored hash is.
    private static readonly Lazy<string> NobodysHash = new(() => new PasswordHasher<LocalAccount>().HashPassword(Nobody, Guid.NewGuid().ToString()));

    public async Task<LocalSignInResult> SignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        var account = string.IsNullOrWhiteSpace(email) ? null : await users.FindByEmailAsync(email.Trim());
        if (account is null || string.IsNullOrEmpty(password))
        {
            users.PasswordHasher.VerifyHashedPassword(Nobody, NobodysHash.Value, password ?? "");
            return LocalSignInResult.Refused(LocalSignInOutcome.InvalidCredentials);
        }

        var check = await signIn.CheckPasswordSignInAsync(account, password, lockoutOnFailure: false);
        if (check.IsLockedOut)
        {
            return LocalSignInResult.Refused(LocalSignInOutcome.LockedOut, account.LockoutEnd);
        }

        if (!check.Succeeded)
        {
            return LocalSignInResult.Refused(LocalSignInOutcome.InvalidCredentials);
        }

        var session = await sessions.CreateAsync(account.Id, preferredTenantId: null, PortalSession.LocalSignIn, cancellationToken);
        return session is null
            ? LocalSignInResult.Refused(LocalSignInOutcome.Disabled)
            : new LocalSignInResult(LocalSignInOutcome.SignedIn, session, null);
    }
}

public enum LocalSignInOutcome
{
    SignedIn,
    InvalidCredentials,
    LockedOut,
    Disabled,
}

public sealed record LocalSignInResult(LocalSignInOutcome Outcome, PortalSession? Session, DateTimeOffset? LockedUntil)
{
    public static LocalSignInResult Refused(LocalSignInOutcome outcome, DateTimeOffset? lockedUntil = null) => new(outcome, null, lockedUntil);
}
