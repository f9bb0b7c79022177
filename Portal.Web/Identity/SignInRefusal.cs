namespace Portal.Web.Identity;

/// <summary>
/// Why an external sign-in was refused: a fixed set of codes (put in the refusal page's URL) with
/// the sentence shown to the person. Only codes travel in URLs, so nothing a provider sends is echoed.
/// </summary>
public static class SignInRefusal
{
    public const string UnmappedTenant = "unmapped-tenant";
    public const string WrongAudience = "wrong-audience";
    public const string InvalidToken = "invalid-token";
    public const string MissingIdentity = "missing-identity";
    public const string AccountDisabled = "account-disabled";
    public const string NoActiveTenant = "no-active-tenant";
    public const string ProviderError = "provider-error";

    public const string PagePath = "/signin-refused";

    public static string PageUrl(string reason) => $"{PagePath}?reason={Uri.EscapeDataString(reason)}";

    public static string Describe(string? reason) => reason switch
    {
        UnmappedTenant => "Your organisation's directory is not connected to this portal. Ask a portal administrator to map your directory tenant (or one of your groups) to a portal tenant.",
        WrongAudience => "The identity provider issued the sign-in token for another application (audience mismatch), so the portal cannot accept it. The portal's client id and the provider's app registration disagree.",
        InvalidToken => "The identity provider's token could not be validated (issuer, signature or lifetime).",
        MissingIdentity => "The sign-in token carries no directory tenant id or object id, so the portal cannot tell who you are.",
        AccountDisabled => "Your account is disabled in this portal.",
        NoActiveTenant => "Your membership in this portal is disabled or its tenant is suspended.",
        ProviderError => "The identity provider reported an error, or the sign-in could not be completed. Please try again.",
        _ => "The sign-in was refused.",
    };
}
