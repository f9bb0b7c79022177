using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using Portal.Web.Audit;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Shell;

/// <summary>
/// Base for component tests, like MudBlazor's own <c>BunitTest</c>: loose JS interop and the MudBlazor
/// services. Authorization is the portal's real policies over a principal the test signs in with
/// <see cref="SignIn"/>, built by the same <see cref="PortalPrincipal"/> the cookie uses.
/// </summary>
public abstract class BunitTest : BunitContext
{
    private readonly SwitchableAuthenticationStateProvider _authentication = new();

    protected BunitTest()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        // bUnit registers placeholders that refuse to authorize; the real services replace them.
        Services.RemoveAll<IAuthorizationService>();
        Services.RemoveAll<IAuthorizationPolicyProvider>();
        Services.RemoveAll<AuthenticationStateProvider>();
        Services.AddAuthorizationBuilder().AddPortalPolicies().AddAuditPolicy();
        Services.AddSingleton<AuthenticationStateProvider>(_authentication);
        Services.AddCascadingAuthenticationState();
        Services.AddSingleton<AntiforgeryStateProvider, FixedAntiforgeryStateProvider>();
    }

    protected void SignIn(PortalSession session) => _authentication.Principal = PortalPrincipal.Create(session);

    private sealed class SwitchableAuthenticationStateProvider : AuthenticationStateProvider
    {
        public ClaimsPrincipal Principal { get; set; } = new(new ClaimsIdentity());

        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(Principal));
    }

    private sealed class FixedAntiforgeryStateProvider : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken GetAntiforgeryToken() => new("test-token", "__RequestVerificationToken");
    }
}
