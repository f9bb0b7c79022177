namespace Portal.Web.Identity;

/// <summary>The claims the portal writes into its own cookie after any kind of sign-in.</summary>
public static class PortalClaimTypes
{
    public const string UserId = "portal/user_id";

    public const string TenantId = "portal/tenant_id";

    public const string TenantName = "portal/tenant_name";

    /// <summary>One per active membership: "{tenant id}|{tenant name}", for the tenant switcher.</summary>
    public const string TenantChoice = "portal/tenant_choice";

    /// <summary>"local", or the name of the external scheme the person came through.</summary>
    public const string SignInMethod = "portal/sign_in_method";

    /// <summary>The person's credentials version when the session began (a password change or reset ends older sessions).</summary>
    public const string CredentialsVersion = "portal/credentials_version";
}
