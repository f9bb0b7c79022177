using Microsoft.Playwright;
using Portal.Tests.Web.Browser;

namespace Portal.Tests.Web.Identity;

/// <summary>
/// Chromium: an administrator invites on the members page, the invitee opens the one-time link, chooses a
/// password and signs in with it for the first time. Screenshots of the set-password page and the
/// invitations panel at both sizes.
/// </summary>
public sealed class InvitationBrowserTests(ChromiumFixture chromium, KestrelPortalFixture portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<KestrelPortalFixture>
{
    private const string Chosen = "Invitee-Chosen-Pass-42!";

    [Fact]
    public async Task Invite_SetPassword_FirstSignIn()
    {
        var email = $"{Guid.NewGuid():N}@invitee.test";
        var admin = await PortalPages.SignedInAdminAsync(chromium.Browser, portal.BaseUrl, PortalPages.Desktop);
        var link = await InviteAsync(admin, email);
        await PortalPages.ScreenshotAsync(admin, "members-invitations");
        Assert.True(await PortalPages.FitsWidthAsync(admin), await PortalPages.OverflowingAsync(admin));
        Assert.Contains(email, await admin.Locator("[data-testid=invitations-panel]").InnerTextAsync(), StringComparison.Ordinal);

        var invitee = await NewPageAsync(PortalPages.Desktop);
        await invitee.GotoAsync(link);
        Assert.Contains("You were invited as", await invitee.Locator("main, body").First.InnerTextAsync(), StringComparison.Ordinal);
        await invitee.FillAsync("#displayName", "Ines Invitee");
        await invitee.FillAsync("#password", Chosen);
        await invitee.FillAsync("#confirmPassword", Chosen);
        await PortalPages.ScreenshotAsync(invitee, "set-password");
        Assert.True(await PortalPages.FitsWidthAsync(invitee), await PortalPages.OverflowingAsync(invitee));
        await invitee.ClickAsync("[data-testid=setup-form] button[type=submit]");
        await invitee.Locator("[data-testid=signin-setup]").WaitForAsync();
        Assert.Contains("setup=done", invitee.Url, StringComparison.Ordinal);
        Assert.Contains("Sign in with your e-mail address and the password you chose", await invitee.Locator("[data-testid=signin-setup]").InnerTextAsync(), StringComparison.Ordinal);

        await invitee.FillAsync("#email", email);
        await invitee.FillAsync("#password", Chosen);
        await invitee.ClickAsync("form.signin-form button[type=submit]");
        await invitee.Locator("[data-testid=signed-in-as]").WaitForAsync();
        Assert.Equal("Ines Invitee", (await invitee.Locator("[data-testid=signed-in-as]").InnerTextAsync()).Trim());

        // The link worked once.
        await invitee.GotoAsync(link);
        Assert.Contains("already used", await invitee.Locator("[data-testid=setup-refused]").InnerTextAsync(), StringComparison.Ordinal);
        await invitee.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task SetPasswordAndInvitations_Phone_FitTheWidth()
    {
        var admin = await PortalPages.SignedInAdminAsync(chromium.Browser, portal.BaseUrl, PortalPages.Phone);
        var link = await InviteAsync(admin, $"{Guid.NewGuid():N}@a-rather-long-domain-name.example");
        await admin.Locator("[data-testid=one-time-link]").ScrollIntoViewIfNeededAsync();
        await PortalPages.ScreenshotAsync(admin, "members-link-shown");
        await admin.Locator("[data-testid=invitations-panel]").ScrollIntoViewIfNeededAsync();
        await PortalPages.ScreenshotAsync(admin, "members-invitations");
        Assert.True(await PortalPages.FitsWidthAsync(admin), await PortalPages.OverflowingAsync(admin));

        var invitee = await NewPageAsync(PortalPages.Phone);
        await invitee.GotoAsync(link);
        await invitee.Locator("[data-testid=setup-form]").WaitForAsync();
        await PortalPages.ScreenshotAsync(invitee, "set-password");
        Assert.True(await PortalPages.FitsWidthAsync(invitee), await PortalPages.OverflowingAsync(invitee));
        await invitee.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    /// <summary>Invites on the members page; returns the one-time link the page shows once.</summary>
    private static async Task<string> InviteAsync(IPage admin, string email)
    {
        await PortalPages.OpenAsync(admin, "admin/members");
        await admin.FillAsync("input[data-testid=invite-email], [data-testid=invite-email] input", email);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Invite as member" }).ClickAsync();
        var link = admin.Locator("[data-testid=one-time-link] code.one-time-link");
        await link.WaitForAsync();
        await admin.Locator("[data-testid=invitations-panel]").GetByText(email).WaitForAsync();
        return (await link.InnerTextAsync()).Trim();
    }

    private async Task<IPage> NewPageAsync(ViewportSize viewport)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl, ViewportSize = viewport });
        context.SetDefaultTimeout(PortalPages.Timeout);
        return await context.NewPageAsync();
    }
}
