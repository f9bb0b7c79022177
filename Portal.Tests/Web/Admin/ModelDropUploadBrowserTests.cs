using Microsoft.EntityFrameworkCore;
using Portal.Inference.Gguf;
using Portal.Tests.Inference.Gguf;
using Portal.Tests.Web.Browser;

namespace Portal.Tests.Web.Admin;

/// <summary>A model file dropped on the admin page's drop zone uploads with its progress bar and is registered.</summary>
public sealed class ModelDropUploadBrowserTests(ChromiumFixture chromium, AdminBrowserTests.Portal portal)
    : IClassFixture<ChromiumFixture>, IClassFixture<AdminBrowserTests.Portal>, IDisposable
{
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task DroppedGgufFile_UploadsWithProgressAndIsRegistered()
    {
        var modelFile = _files.File("dropped-model.gguf");
        TestModels.WriteTinyLlama(modelFile, seed: 91);
        var page = await PortalPages.SignedInAdminAsync(chromium.Browser, portal.BaseUrl, PortalPages.Desktop);
        await PortalPages.OpenAsync(page, "admin/models");
        await page.Locator("[data-testid=models-empty]").WaitForAsync(); // says what to do when nothing is registered

        // What a drag from the file manager delivers: a DataTransfer holding the file, over and onto the zone.
        await page.EvaluateAsync(
            """
            ({ name, base64 }) => {
                const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
                const transfer = new DataTransfer();
                transfer.items.add(new File([bytes], name));
                const zone = document.querySelector('[data-testid=drop-zone]');
                zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
                zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
            """,
            new { name = "dropped-model.gguf", base64 = Convert.ToBase64String(await File.ReadAllBytesAsync(modelFile, TestContext.Current.CancellationToken)) });

        await page.Locator(".upload-progress .mud-progress-linear").WaitForAsync();
        await page.Locator(".upload-progress[data-phase=Completed]").WaitForAsync();
        Assert.StartsWith("Registered as 'portal-tiny-llama' (dropped-model-", await page.Locator(".upload-progress .mud-alert-message").InnerTextAsync(), StringComparison.Ordinal);
        await PortalPages.ScreenshotAsync(page, "admin-models-dropped");
        var stored = await portal.App.QueryAsync(db => db.ModelEntries.Select(m => m.FileName).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Contains(stored, name => name.StartsWith("dropped-model-", StringComparison.Ordinal));
    }
}
