using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Inference.Gguf;
using Portal.Tests.Inference.Gguf;
using Portal.Tests.Web.Browser;
using Portal.Tests.Web.Hosting;
using Portal.Web.Admin;

namespace Portal.Tests.Web.Admin;

/// <summary>
/// The admin console in Debian's Chromium: a generated model uploaded through the page (the JS module
/// slicing the file into chunks), registered, loaded, and then answering in the chat page.
/// </summary>
public sealed class AdminBrowserTests(ChromiumFixture chromium, AdminBrowserTests.Portal portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<AdminBrowserTests.Portal>, IDisposable
{
    private const float Timeout = 60_000; // a guard against hanging on a loaded machine, not a measurement

    private readonly TempDirectory _files = new();

    /// <summary>The portal on Kestrel, without the built-in test model, so the uploaded model is the only one.</summary>
    public sealed class Portal : IAsyncLifetime
    {
        public PortalAppFactory App { get; } = new(new Dictionary<string, string?>
        {
            ["Portal:Models:CreateTestModelWhenEmpty"] = "false",
            // One thread: the test machine's cores are shared, and llama.cpp's threads spin on a busy one.
            ["Inference:Threads"] = "1",
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

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task UploadPage_GeneratedModel_RegisteredLoadedAndChatsBack()
    {
        var modelFile = _files.File("my-tiny-model.gguf");
        TestModels.WriteTinyLlama(modelFile, seed: 77);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = portal.BaseUrl });
        context.SetDefaultTimeout(Timeout);
        var page = await context.NewPageAsync();
        await SignInAsync(page);

        // Upload through the page: the file input, then the button (which works once the circuit is live).
        await page.GotoAsync("/admin/models");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        // Choosing a file starts the upload, once the circuit has attached the drop zone (a file chosen
        // before that is lost), so choose until the upload is under way.
        var started = page.Locator(".upload-progress:not([data-phase=Failed])");
        for (var attempt = 0; attempt < 40 && !await started.IsVisibleAsync(); attempt++)
        {
            await page.SetInputFilesAsync("#model-file", modelFile);
            await page.WaitForTimeoutAsync(250);
        }

        await page.Locator(".upload-progress[data-phase=Completed]").WaitForAsync();
        var message = await page.Locator(".upload-progress .mud-alert-message").InnerTextAsync();
        Assert.StartsWith("Registered as 'portal-tiny-llama' (my-tiny-model-", message, StringComparison.Ordinal);
        Assert.EndsWith("· registered", (await page.Locator(".upload-figures").InnerTextAsync()).Trim(), StringComparison.Ordinal);
        var row = page.Locator("tr").Filter(new LocatorFilterOptions { Has = page.Locator(".model-name", new PageLocatorOptions { HasText = "portal-tiny-llama" }) });
        await row.WaitForAsync();
        Assert.Equal("registered", (await row.Locator(".model-state").InnerTextAsync()).Trim());

        // Granted to the admin's tenant through the service the settings panel calls, then loaded from the page.
        var (modelId, tenantId, admin) = await portal.App.QueryAsync(async db => (
            await db.ModelEntries.Select(m => m.Id).SingleAsync(),
            await db.Tenants.Where(t => t.Name == "Default").Select(t => t.Id).SingleAsync(),
            await db.PortalUsers.Where(u => u.Email == PortalAppFactory.AdminEmail).Select(u => u.Id).SingleAsync()));
        await using (var scope = portal.App.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ModelAdministration>()
                .SetGrantsAsync(new AdminActor(admin, true, tenantId, true), modelId, [tenantId], TestContext.Current.CancellationToken);
        }

        await row.Locator(".model-load").ClickAsync();
        await row.Locator(".model-state").Filter(new LocatorFilterOptions { HasText = "loaded" }).WaitForAsync();

        // And it answers in the chat.
        await page.GotoAsync("/chat");
        await page.WaitForFunctionAsync("() => window.Blazor !== undefined");
        // The first message starts the conversation; typing counts once the circuit is live (Send comes alive then).
        var input = page.Locator("textarea[data-testid=input]");
        var send = page.Locator("[data-testid=send]");
        for (var attempt = 0; attempt < 40 && !await send.IsEnabledAsync(); attempt++)
        {
            await input.FillAsync("");
            await input.FillAsync("Hello, tiny model.");
            await page.WaitForTimeoutAsync(250);
        }

        await send.ClickAsync();
        var answer = page.Locator("[data-testid=message][data-role=assistant]").Last;
        await answer.Locator("[data-testid=figures]").WaitForAsync(); // shown once the answer is finished
        Assert.Equal(0, await answer.Locator("[data-testid=error]").CountAsync());
        Assert.Equal(0, await answer.Locator("[data-testid=state]").CountAsync()); // no chip: completed, not stopped or failed
        Assert.NotEmpty((await answer.Locator("[data-testid=content]").InnerTextAsync()).Trim());
    }

    private static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/account/signin");
        await page.FillAsync("#email", PortalAppFactory.AdminEmail);
        await page.FillAsync("#password", PortalAppFactory.AdminPassword);
        await page.ClickAsync("form.signin-form button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/signin", StringComparison.Ordinal), ChromiumFixture.UrlCommitted);
    }
}
