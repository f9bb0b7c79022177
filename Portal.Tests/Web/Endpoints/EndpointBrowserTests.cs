using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Tests.Web.Browser;
using Portal.Tests.Web.Hosting;

namespace Portal.Tests.Web.Endpoints;

/// <summary>
/// The endpoint models page in Debian's Chromium, on a laptop and on a phone: a platform admin adds an
/// endpoint model, tests the connection against a loopback engine, saves it, and finds the key shown
/// only as "key set" when editing it again. Screenshots go to the test output.
/// </summary>
public sealed class EndpointBrowserTests(ChromiumFixture chromium, EndpointBrowserTests.Portal portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<EndpointBrowserTests.Portal>
{
    private const string Key = "sk-browser-0f1e2d3c4b5a";

    /// <summary>The portal on Kestrel without the built-in test model.</summary>
    public sealed class Portal : IAsyncLifetime
    {
        public PortalAppFactory App { get; } = new(new Dictionary<string, string?>
        {
            ["Portal:Models:CreateTestModelWhenEmpty"] = "false",
            ["Portal:Models:ScanOnStart"] = "false",
        });

        public string BaseUrl { get; private set; } = "";

        public ValueTask InitializeAsync()
        {
            App.UseKestrel(0);
            App.StartServer();
            BaseUrl = App.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/') + "/";
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    public static TheoryData<string> Viewports => ["desktop", "phone"];

    [Theory]
    [MemberData(nameof(Viewports))]
    public async Task AddTestAndEdit_TheKeyIsWriteOnly(string viewport)
    {
        await using var engine = await FakeOpenAiServer.StartAsync();
        engine.RequiredKey = Key;
        var name = $"Site vLLM {viewport}";
        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, portal.BaseUrl, viewport == "phone" ? PortalPages.Phone : PortalPages.Desktop);

        // One link from the models page leads here.
        await PortalPages.OpenAsync(page, "admin/models");
        await page.ClickAsync("#models-endpoints");
        await page.WaitForURLAsync(url => url.EndsWith("/admin/models/endpoints", StringComparison.Ordinal));
        await page.Locator("html[data-circuit=live]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        await page.ClickAsync("#endpoint-add");
        await FillAsync(page, "endpoint-name", name);
        await FillAsync(page, "endpoint-remote-model", FakeOpenAiServer.ModelName);
        await FillAsync(page, "endpoint-base-url", engine.BaseUrl);

        // Without the key the engine refuses; with it, the model is listed.
        await page.ClickAsync("#endpoint-test");
        await Assert.ThatAsync(page, "[data-testid=endpoint-form] .endpoint-test-result[data-outcome=Unauthorized]", "The engine refused the key (HTTP 401). Check the API key.");
        await FillAsync(page, "endpoint-api-key", Key);
        await page.ClickAsync("#endpoint-test");
        await Assert.ThatAsync(page, "[data-testid=endpoint-form] .endpoint-test-result[data-outcome=Ok]", $"Connected: the engine serves '{FakeOpenAiServer.ModelName}'.");
        await SettledAsync(page);
        await PortalPages.ScreenshotAsync(page, $"endpoint-form-add-{viewport}");
        Xunit.Assert.True(await PortalPages.FitsWidthAsync(page), await PortalPages.OverflowingAsync(page));

        await page.ClickAsync("#endpoint-save");
        var row = page.Locator("tr").Filter(new LocatorFilterOptions { Has = page.Locator(".endpoint-name", new PageLocatorOptions { HasText = name }) });
        await row.WaitForAsync();
        Xunit.Assert.Equal("key set", (await row.Locator(".endpoint-key").InnerTextAsync()).Trim());

        // Editing shows that a key is set, never the key.
        await row.Locator(".endpoint-edit").ClickAsync();
        await page.Locator("[data-testid=endpoint-form] .endpoint-key-set").WaitForAsync();
        Xunit.Assert.Equal("", await page.Locator("[data-testid=endpoint-api-key] input[type=password]").InputValueAsync());
        Xunit.Assert.DoesNotContain(Key, await page.ContentAsync(), StringComparison.Ordinal);
        await SettledAsync(page);
        await PortalPages.ScreenshotAsync(page, $"endpoint-form-edit-{viewport}");
        Xunit.Assert.True(await PortalPages.FitsWidthAsync(page), await PortalPages.OverflowingAsync(page));

        // The stored key still works: "Test connection" with the field left empty uses it.
        await page.ClickAsync("#endpoint-test");
        await Assert.ThatAsync(page, "[data-testid=endpoint-form] .endpoint-test-result[data-outcome=Ok]", $"Connected: the engine serves '{FakeOpenAiServer.ModelName}'.");
        var stored = await portal.App.QueryAsync(db => db.ModelEntries.Where(m => m.Name == name).Select(m => m.Endpoint!.ProtectedApiKey).SingleAsync());
        Xunit.Assert.DoesNotContain(Key, stored!, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    /// <summary>Waits until the form's transitions (labels moving above the values they now hold) have finished, so the screenshot shows the page at rest.</summary>
    private static async Task SettledAsync(IPage page) =>
        await page.Locator("[data-testid=endpoint-form]").EvaluateAsync("""
            async form => {
                // A transition replaced by another is cancelled (its promise rejects): wait again until none runs.
                for (let round = 0; round < 20; round++) {
                    const running = form.getAnimations({ subtree: true });
                    if (running.length === 0) return true;
                    await Promise.all(running.map(a => a.finished.catch(() => null)));
                }
                return true;
            }
            """);

    private static async Task FillAsync(IPage page, string testId, string value)
    {
        var input = page.Locator($"[data-testid={testId}] input:not([type=checkbox])");
        await input.FillAsync(value);
        await input.PressAsync("Tab"); // the field takes its value on change
    }

    private static class Assert
    {
        /// <summary>Waits for the element and checks the words a person reads in it.</summary>
        public static async Task ThatAsync(IPage page, string selector, string text)
        {
            var element = page.Locator(selector);
            await element.WaitForAsync();
            Xunit.Assert.Equal(text, (await element.Locator(".mud-alert-message").InnerTextAsync()).Trim());
        }
    }
}
