using Bunit;
using Portal.Domain.Tenants;
using Portal.Web.Components.Layout;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Shell;

public sealed class TenantSwitcherTests : BunitTest
{
    private static readonly TenantChoice Alpha = new(Guid.NewGuid(), "Alpha");
    private static readonly TenantChoice Beta = new(Guid.NewGuid(), "Beta");

    [Fact]
    public void TenantSwitcher_OneTenant_ShowsActiveTenantWithoutMenu()
    {
        SignIn(Session(Alpha, [Alpha]));

        var cut = Render<TenantSwitcher>();

        Assert.Equal("Alpha", cut.Find("[data-testid=active-tenant]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=tenant-switcher]"));
    }

    [Fact]
    public void TenantSwitcher_SeveralTenants_MenuNamesActiveTenant()
    {
        SignIn(Session(Beta, [Alpha, Beta]));

        var cut = Render<TenantSwitcher>();

        Assert.Contains("Beta", cut.Find("[data-testid=tenant-switcher]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void TenantSwitcher_NoTenant_SaysSo()
    {
        SignIn(new PortalSession(Guid.NewGuid(), "Root", true, null, [], PortalSession.LocalSignIn));

        var cut = Render<TenantSwitcher>();

        Assert.Equal("No tenant", cut.Find("[data-testid=active-tenant]").TextContent.Trim());
    }

    private static PortalSession Session(TenantChoice active, IReadOnlyList<TenantChoice> choices) =>
        new(Guid.NewGuid(), "Someone", false, new ActiveTenant(active.Id, active.Name, TenantRoles.Member), choices, PortalSession.LocalSignIn);
}
