using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Domain.Tenants;
using Portal.Tests.Web.Hosting;
using Portal.Web.Models;

namespace Portal.Tests.Web.Admin;

/// <summary>
/// Finding 9: an upload belongs to the admin who started it, must fit on the disk (with a reserve kept for
/// the database) before it starts, and stays dead once cancelled or completed, whatever chunk arrives late.
/// </summary>
public sealed class UploadOwnershipTests(AdminPortal portal) : IClassFixture<AdminPortal>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_AnotherPlatformAdmin_CannotResumeCompleteOrCancelIt()
    {
        var owner = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);
        var upload = await owner.StartOkAsync("owned.gguf", 1024);
        var other = new UploadClient((await SecondPlatformAdminAsync()).Http);

        using var status = await other.StatusResponseAsync(upload.Id);
        using var chunk = await other.PutAsync(upload.Id, 0, 1024, new ByteArrayContent(new byte[16]), 16);
        using var complete = await other.CompleteAsync(upload.Id);
        using var cancel = await other.CancelAsync(upload.Id);

        Assert.Equal(
            [HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound],
            new[] { status.StatusCode, chunk.StatusCode, complete.StatusCode, cancel.StatusCode });
        Assert.Equal(0, (await owner.StatusAsync(upload.Id)).ReceivedBytes);
        using var ownCancel = await owner.CancelAsync(upload.Id);
        Assert.Equal(HttpStatusCode.NoContent, ownCancel.StatusCode);
    }

    [Fact]
    public async Task Upload_CancelledWhileALateChunkWaits_LateChunkDoesNotReviveIt()
    {
        var admin = await portal.App.QueryAsync(db => db.PortalUsers.SingleAsync(u => u.Email == PortalAppFactory.AdminEmail, Ct));
        var uploads = portal.App.Services.GetRequiredService<ModelUploads>();
        var upload = await uploads.StartAsync(new StartUploadRequest("late.gguf", 1024, null), admin.Id, Ct);
        var first = new HeldStream(16);

        // A chunk is being written (it holds the upload), the cancel and a late chunk queue behind it.
        var writing = uploads.AppendAsync(upload.Id, admin.Id, 0, first, Ct);
        await first.FirstReadDone.Task.WaitAsync(Ct);
        var cancel = uploads.CancelAsync(upload.Id, admin.Id, Ct);
        var late = uploads.AppendAsync(upload.Id, admin.Id, 16, new MemoryStream(new byte[16]), Ct);
        first.Release();
        await writing;
        await cancel;

        var refused = await Assert.ThrowsAsync<UploadException>(() => late);
        Assert.Equal(UploadFailure.NotFound, refused.Failure);
        Assert.DoesNotContain(portal.UploadAreaFiles(), f => f.Contains(upload.Id.ToString("N"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Upload_LargerThanFreeSpaceLessDatabaseReserve_RefusedBeforeItStarts()
    {
        await using var app = new PortalAppFactory(new Dictionary<string, string?>
        {
            // Everything free now is reserved, and a terabyte more: other processes on the disk free and take space while
            // the test runs (a reserve of exactly what was free made a 10 MB upload fit as soon as 10 MB were freed).
            ["Portal:Models:FreeSpaceReserveBytes"] = (new DriveInfo(Path.GetTempPath()).AvailableFreeSpace + (1L << 40)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        app.StartServer();
        var browser = new BrowserLikeClient(app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));
        await browser.SignInAsync(PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword);

        using var start = await new UploadClient(browser.Http).StartAsync("big.gguf", 10L * 1024 * 1024);

        Assert.Equal(HttpStatusCode.InsufficientStorage, start.StatusCode);
        Assert.Contains("does not fit", await UploadClient.ReasonAsync(start), StringComparison.Ordinal);
        Assert.Empty(Directory.Exists(Path.Combine(app.DataDirectory, "models", ".uploads")) ? Directory.GetFiles(Path.Combine(app.DataDirectory, "models", ".uploads")) : []);
    }

    private async Task<BrowserLikeClient> SecondPlatformAdminAsync()
    {
        var email = $"{Guid.NewGuid():N}@portal.test";
        var user = await portal.App.CreateLocalUserAsync(email, "Second-Admin-Pass-1!", TenantRoles.Member);
        await portal.App.QueryAsync(db => db.PortalUsers.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsPlatformAdmin, true), Ct));
        var browser = portal.NewBrowser();
        using var signIn = await browser.SignInAsync(email, "Second-Admin-Pass-1!");
        return browser;
    }

    /// <summary>A request body that sends some bytes, then waits (the upload stays held) until released.</summary>
    private sealed class HeldStream(int firstBytes) : Stream
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _sent;

        public TaskCompletionSource FirstReadDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_sent)
            {
                _sent = true;
                buffer.Span[..firstBytes].Fill(7);
                FirstReadDone.TrySetResult();
                return firstBytes;
            }

            await _release.Task.WaitAsync(cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
