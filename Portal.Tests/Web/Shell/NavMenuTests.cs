using Bunit;
using Portal.Domain.Tenants;
using Portal.Web.Components.Layout;
using Portal.Web.Identity;

namespace Portal.Tests.Web.Shell;

/// <summary>The navigation offers each person exactly the areas their roles open.</summary>
public sealed class NavMenuTests : BunitTest
{
    public static TheoryData<TenantRoles, bool, string[]> Cases => new()
    {
        { TenantRoles.Member, false, ["/", "/chat"] },
        { TenantRoles.Member | TenantRoles.Manager, false, ["/", "/chat", "/reports"] },
        { TenantRoles.TenantAdmin, false, ["/", "/audit", "/admin"] },
        { TenantRoles.Auditor, false, ["/", "/audit"] },
        { TenantRoles.Member | TenantRoles.Auditor, false, ["/", "/chat", "/audit"] },
        { TenantRoles.None, true, ["/", "/audit", "/admin"] },
        { TenantRoles.Member, true, ["/", "/chat", "/audit", "/admin"] },
        { TenantRoles.Member | TenantRoles.Manager | TenantRoles.TenantAdmin | TenantRoles.Auditor, false, ["/", "/chat", "/reports", "/audit", "/admin"] },
        { TenantRoles.None, false, ["/"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void NavMenu_Roles_ShowOnlyTheirEntries(TenantRoles roles, bool platformAdmin, string[] expected)
    {
        SignIn(new PortalSession(
            Guid.NewGuid(),
            "Someone",
            platformAdmin,
            new ActiveTenant(Guid.NewGuid(), "Contoso", roles),
            [],
            PortalSession.LocalSignIn));

        var cut = Render<NavMenu>();

        cut.WaitForAssertion(() => Assert.Equal(expected, Links(cut)));
    }

    [Fact]
    public void NavMenu_PlatformAdminWithoutTenant_ShowsAuditAndAdmin()
    {
        SignIn(new PortalSession(Guid.NewGuid(), "Root", IsPlatformAdmin: true, Tenant: null, [], PortalSession.LocalSignIn));

        var cut = Render<NavMenu>();

        cut.WaitForAssertion(() => Assert.Equal(["/", "/audit", "/admin"], Links(cut)));
    }

    [Fact]
    public void NavMenu_Anonymous_ShowsNoArea()
    {
        var cut = Render<NavMenu>();

        Assert.Equal(["/"], Links(cut));
    }

    private static string[] Links(IRenderedComponent<NavMenu> cut) =>
        cut.FindAll("a.mud-nav-link").Select(a => a.GetAttribute("href") ?? "").ToArray();
}
