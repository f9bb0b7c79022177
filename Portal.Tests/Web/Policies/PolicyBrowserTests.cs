using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Portal.Domain.Models;
using Portal.Domain.Tenants;
using Portal.Inference.Gguf;
using Portal.Tests.Web.Browser;
using Portal.Tests.Web.Chat;

namespace Portal.Tests.Web.Policies;

/// <summary>The Policies page and its effect on a member's chat, in headless Debian Chromium against the portal on Kestrel.</summary>
public sealed class PolicyBrowserTests(ChromiumFixture chromium, ChatApp app) : IClassFixture<ChromiumFixture>, IClassFixture<ChatApp>
{
    private const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Where the screenshots go, to be looked at (1400x900 and 390x844).</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(Path.GetTempPath(), "portal-screenshots", "policies");

    [Fact]
    public async Task TenantAdminAddsABlockedWord_AMembersPromptWithIt_IsRefusedNamingTheRule()
    {
        var tenantName = $"Browser {Guid.NewGuid():N}"[..20];
        var admin = await NewUserAsync(tenantName, TenantRoles.Member | TenantRoles.TenantAdmin);
        var member = await NewUserAsync(tenantName, TenantRoles.Member);
        await GrantTinyModelAsync(tenantName);

        var adminPage = await SignedInPageAsync(admin);
        await adminPage.GotoAsync("admin/policies");
        await adminPage.WaitForFunctionAsync("() => window.Blazor !== undefined");
        // Waits between clicks long enough that a slow circuit does not get two rows.
        await ClickUntilAsync(adminPage, "[data-testid=input-rule-add]", async () => await adminPage.Locator("input[data-testid=input-rule-name]").CountAsync() > 0, 1000);
        Assert.Equal(1, await adminPage.Locator("input[data-testid=input-rule-name]").CountAsync());
        await adminPage.FillAsync("input[data-testid=input-rule-name]", "Project codenames");
        await adminPage.FillAsync("input[data-testid=input-rule-pattern]", "falcon");
        await adminPage.FillAsync("textarea[data-testid=principles]", "Be honest about what you do not know.\nNever reveal project codenames.");
        await adminPage.FillAsync("textarea[data-testid=trial-prompt]", "Is FALCON on schedule? Mail me at jane@example.com");
        await adminPage.ClickAsync("[data-testid=trial-run]");
        await adminPage.Locator("[data-testid=trial-action]").First.WaitForAsync();
        Assert.Contains("rule “Project codenames”", await adminPage.Locator("[data-testid=trial-action]").First.InnerTextAsync(), StringComparison.Ordinal);
        await ScreenshotsAsync(adminPage, "policies-page");

        await adminPage.ClickAsync("[data-testid=save-policy]");
        await adminPage.Locator("[data-testid=policy-version]", new() { HasTextString = "Tenant policy v1" }).WaitForAsync();
        var saved = await app.Factory.QueryAsync(db => db.TenantPolicies.Where(p => p.CreatedByUserId == admin.Id).ToListAsync(Cancel));
        Assert.Equal(["Project codenames"], Assert.Single(saved).InputRules.Select(r => r.Name));

        var memberPage = await SignedInPageAsync(member);
        await memberPage.GotoAsync("chat");
        await memberPage.WaitForFunctionAsync("() => window.Blazor !== undefined");
        // /chat is a new chat: the first message starts the conversation with the picked (only granted) model.
        var input = memberPage.Locator("textarea[data-testid=input]");
        var send = memberPage.Locator("[data-testid=send]");
        for (var attempt = 0; attempt < 60 && !await send.IsEnabledAsync(); attempt++)
        {
            await input.FillAsync("");
            await input.FillAsync("When does the Falcon launch?");
            await memberPage.WaitForTimeoutAsync(250);
        }

        await send.ClickAsync();
        await PortalPages.FirstMessageSentAsync(memberPage);
        var action = memberPage.Locator("[data-testid=message][data-role=assistant] [data-testid=policy-action]");
        await action.WaitForAsync();

        Assert.Equal("Refused: the prompt breaks rule “Project codenames” (Tenant policy v1)", (await action.InnerTextAsync()).Trim());
        await memberPage.Locator("[data-testid=message][data-role=assistant] [data-testid=state][data-state=refused]").WaitForAsync();
        await ScreenshotsAsync(memberPage, "chat-refused");
    }

    [Fact]
    public async Task SelfCheckedAnswer_ShowsTheModeTheMarkerAndTheExpandableDraftAndReview()
    {
        var tenantName = $"Checked {Guid.NewGuid():N}"[..20];
        var member = await NewUserAsync(tenantName, TenantRoles.Member);
        await GrantTinyModelAsync(tenantName);
        await app.Factory.QueryAsync(async db =>
        {
            var tenant = await db.Tenants.SingleAsync(t => t.Name == tenantName, Cancel);
            db.TenantPolicies.Add(new Portal.Domain.Policies.TenantPolicy
            {
                TenantId = tenant.Id, Name = "Constitution", Principles = "Be kind.\nCite a source.", SelfCheckEnabled = true, RedactPii = true,
            });
            return await db.SaveChangesAsync(Cancel);
        });

        var page = await SignedInPageAsync(member);
        await page.GotoAsync("chat");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        // /chat is a new chat: the first message starts the conversation with the picked (only granted) model.
        var banner = page.Locator("[data-testid=policy-banner]");
        await banner.WaitForAsync();
        Assert.Contains("you see the draft as it is written, then the revision", await banner.InnerTextAsync(), StringComparison.Ordinal);
        var input = page.Locator("textarea[data-testid=input]");
        var send = page.Locator("[data-testid=send]");
        for (var attempt = 0; attempt < 60 && !await send.IsEnabledAsync(); attempt++)
        {
            await input.FillAsync("");
            await input.FillAsync("Tell me about llamas, and mail jane@example.com.");
            await page.WaitForTimeoutAsync(250);
        }

        await send.ClickAsync();
        await PortalPages.FirstMessageSentAsync(page);
        var answer = page.Locator("[data-testid=message][data-role=assistant]").Last;
        await answer.Locator("[data-testid=self-check]").WaitForAsync();
        await answer.Locator("[data-testid=self-check] .mud-expand-panel-header").ClickAsync();
        await answer.Locator("[data-testid=self-check-critique]").WaitForAsync();

        Assert.StartsWith("Revised under", (await answer.Locator("[data-testid=policy-action]").InnerTextAsync()).Trim(), StringComparison.Ordinal);
        Assert.Equal("Tell me about llamas, and mail [e-mail].", (await page.Locator("[data-testid=message][data-role=user] [data-testid=content]").InnerTextAsync()).Trim());
        await ScreenshotsAsync(page, "chat-self-check");
    }

    private async Task<User> NewUserAsync(string tenantName, TenantRoles roles) =>
        await app.Factory.CreateLocalUserAsync($"{Guid.NewGuid():N}@portal.test", ChatApp.Password, roles, tenantName);

    private Task<int> GrantTinyModelAsync(string tenantName) => app.Factory.QueryAsync(async db =>
    {
        var tenant = await db.Tenants.SingleAsync(t => t.Name == tenantName, Cancel);
        var tiny = await db.ModelEntries.SingleAsync(m => m.Name.StartsWith(TestModels.TinyLlamaName), Cancel);
        db.ModelGrants.Add(new ModelGrant { TenantId = tenant.Id, ModelEntryId = tiny.Id, GrantedAt = DateTimeOffset.UtcNow });
        return await db.SaveChangesAsync(Cancel);
    });

    private async Task<IPage> SignedInPageAsync(User user)
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1400, Height = 900 },
        });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await page.GotoAsync("account/signin");
        await page.FillAsync("#email", user.Email!);
        await page.FillAsync("#password", ChatApp.Password);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);
        return page;
    }

    private static async Task ScreenshotsAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await page.SetViewportSizeAsync(1400, 900);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}-1400x900.png"), FullPage = true });
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForTimeoutAsync(300); // the layout settles after the resize
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, $"{name}-390x844.png"), FullPage = true });
        await page.SetViewportSizeAsync(1400, 900);
    }

    /// <summary>A click counts only once the circuit handles it; retry until <paramref name="done"/>.</summary>
    private static async Task ClickUntilAsync(IPage page, string selector, Func<Task<bool>> done, int pauseMs = 250)
    {
        for (var attempt = 0; attempt < 60 && !await done(); attempt++)
        {
            await page.ClickAsync(selector);
            await page.WaitForTimeoutAsync(pauseMs);
        }

        Assert.True(await done(), $"Clicking {selector} had no effect.");
    }
}
