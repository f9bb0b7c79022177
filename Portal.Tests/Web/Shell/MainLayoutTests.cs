using Bunit;
using Portal.Domain.Tenants;
using Portal.Web.Components.Layout;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Shell;

public sealed class MainLayoutTests : BunitTest
{
    [Fact]
    public void ThemeToggle_Clicked_RemembersDarkModeInTheBrowser()
    {
        SignIn(new PortalSession(Guid.NewGuid(), "Someone", false, new ActiveTenant(Guid.NewGuid(), "Alpha", TenantRoles.Member), [], PortalSession.LocalSignIn));
        var cut = Render<MainLayout>();

        cut.Find("[data-testid=theme-toggle]").Click();

        var stored = JSInterop.VerifyInvoke("localStorage.setItem");
        Assert.Equal(["portal.theme", "dark"], stored.Arguments);
    }

    [Fact]
    public void MainLayout_SignedIn_ShowsNameAndSignOutForm()
    {
        SignIn(new PortalSession(Guid.NewGuid(), "Ada Lovelace", false, new ActiveTenant(Guid.NewGuid(), "Alpha", TenantRoles.Member), [], PortalSession.LocalSignIn));

        var cut = Render<MainLayout>();

        Assert.Equal("Ada Lovelace", cut.Find("[data-testid=signed-in-as]").TextContent.Trim());
        Assert.Equal("/account/signout", cut.Find("form[action='/account/signout']").GetAttribute("action"));
    }
}
