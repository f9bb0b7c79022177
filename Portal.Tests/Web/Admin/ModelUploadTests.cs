using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Tenants;
using Portal.Inference.Gguf;
using Portal.Tests.Inference.Gguf;
using Portal.Web.Models;

namespace Portal.Tests.Web.Admin;

/// <summary>Model uploads through the real endpoint on a Kestrel loopback port, into a real models folder and database.</summary>
public sealed class ModelUploadTests(AdminPortal portal) : IClassFixture<AdminPortal>, IDisposable
{
    private const int Chunk = 128 * 1024;

    private readonly TempDirectory _files = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Upload_InChunksInterruptedAndResumed_RegisteredWithHashAndMetadata()
    {
        var path = _files.File("tiny.gguf");
        TestModels.WriteTinyLlama(path, seed: 101);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var uploads = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);
        var upload = await uploads.StartOkAsync("tiny.gguf", bytes.Length, sha256);

        // The first chunk whole; the second cut off by a dropped connection after 50 000 of its bytes.
        await uploads.SendFromAsync(upload.Id, path, 0, Chunk, end: Chunk);
        var cutOff = new SliceStream(new MemoryStream(bytes, Chunk, Chunk), Chunk, failAfter: 50_000);
        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var _ = await uploads.PutAsync(upload.Id, Chunk, bytes.Length, new StreamContent(cutOff), Chunk);
        });

        // The server kept what arrived of the cut chunk, and resumes from exactly there.
        var resumed = await uploads.StatusAsync(upload.Id);
        Assert.InRange(resumed.ReceivedBytes, Chunk, Chunk + 50_000);
        await uploads.SendFromAsync(upload.Id, path, resumed.ReceivedBytes, Chunk);
        using var complete = await uploads.CompleteAsync(upload.Id);
        Assert.True(complete.StatusCode == HttpStatusCode.OK, await complete.Content.ReadAsStringAsync(Ct));
        var model = (await complete.Content.ReadFromJsonAsync<CompletedUpload>(Ct))!;

        Assert.Equal(sha256, model.Sha256);
        var entry = await portal.App.QueryAsync(db => db.ModelEntries.SingleAsync(m => m.Id == model.ModelId, Ct));
        Assert.Equal(sha256, entry.Sha256);
        Assert.Equal(TestModels.TinyLlamaName, entry.Name);
        Assert.Equal("llama", entry.Architecture);
        Assert.Equal(2, entry.LayerCount);
        Assert.Equal(2048, entry.ContextLength);
        Assert.Equal("F32", entry.Quantisation);
        Assert.Equal(TestModels.TinyLlamaShape.VocabularySize, entry.VocabularySize);
        Assert.Equal(TestModels.ChatMlTemplate, entry.ChatTemplate);
        Assert.Equal(bytes.Length, entry.SizeBytes);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(portal.ModelsFolder, entry.FileName), Ct));
        Assert.DoesNotContain(portal.UploadAreaFiles(), f => f.Contains(upload.Id.ToString("N"), StringComparison.Ordinal));
        Assert.True(await portal.App.QueryAsync(db => db.AuditEvents.AnyAsync(a => a.Action == "model.uploaded" && a.Target == $"model:{entry.Id}", Ct)));
    }

    [Fact]
    public async Task Upload_WrongOffset_ConflictTellsWhereToResume()
    {
        var path = _files.File("offset.gguf");
        TestModels.WriteTinyLlama(path, seed: 102);
        var uploads = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);
        var upload = await uploads.StartOkAsync("offset.gguf", new FileInfo(path).Length);
        await uploads.SendFromAsync(upload.Id, path, 0, Chunk, end: Chunk);

        using var skipped = await uploads.PutAsync(upload.Id, 2 * Chunk, new FileInfo(path).Length, new ByteArrayContent(new byte[10]), 10);

        Assert.Equal(HttpStatusCode.Conflict, skipped.StatusCode);
        Assert.Equal($"The upload continues at byte {Chunk:N0}, not {2 * Chunk:N0}.", await UploadClient.ReasonAsync(skipped));
        Assert.Equal(Chunk, (await uploads.StatusAsync(upload.Id)).ReceivedBytes);
    }

    [Fact]
    public async Task Upload_WrongMagic_RefusedWithReasonNothingKept()
    {
        var bytes = TinyModelBytes.Copy();
        "GGUX"u8.CopyTo(bytes);
        var reason = await RefusedUploadAsync("magic.gguf", bytes);
        Assert.StartsWith("The file is not a usable GGUF model (BadMagic):", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_Truncated_RefusedWithReasonNothingKept()
    {
        var bytes = TinyModelBytes.Copy()[..(TinyModelBytes.Copy().Length / 2)];
        var reason = await RefusedUploadAsync("truncated.gguf", bytes);
        Assert.StartsWith("The file is not a usable GGUF model (TensorDataBeyondFile):", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_BlockCount100000_RefusedBeforeLlamaCppSeesIt()
    {
        // NATIVE.md: this file makes llama_model_load_from_file abort the whole process.
        var bytes = GgufRewriter.Rewrite(editMetadata: metadata =>
        {
            var index = metadata.FindIndex(e => e.Key == "llama.block_count");
            metadata[index] = new("llama.block_count", GgufValue.UInt32(100_000));
        });
        var reason = await RefusedUploadAsync("hostile.gguf", bytes);
        Assert.StartsWith("The file is not a usable GGUF model (BlockCountOutOfRange):", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_MismatchedExpectedSha256_RefusedWithBothHashes()
    {
        var bytes = TinyModelBytes.Copy();
        var wrong = new string('a', 64);
        var reason = await RefusedUploadAsync("sha.gguf", bytes, wrong);
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal($"The file's SHA-256 is {actual}, not the expected {wrong}: it was changed or damaged on the way.", reason);
    }

    [Fact]
    public async Task Upload_DeclaredSizeOverLimit_RefusedBeforeAnyByte()
    {
        var uploads = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);

        using var response = await uploads.StartAsync("huge.gguf", AdminPortal.UploadLimitBytes + 1);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(
            $"The file is {AdminPortal.UploadLimitBytes + 1:N0} bytes; uploads are limited to {AdminPortal.UploadLimitBytes:N0} bytes (Portal:Models:MaxUploadBytes).",
            await UploadClient.ReasonAsync(response));
    }

    [Fact]
    public async Task Upload_MoreBytesThanDeclared_RefusedAndDiscarded()
    {
        var admin = (await portal.SignedInPlatformAdminAsync()).Http;
        var uploads = new UploadClient(admin);
        var upload = await uploads.StartOkAsync("small.gguf", 100);

        using var request = new HttpRequestMessage(HttpMethod.Put, $"{UploadClient.Path}/{upload.Id}") { Content = new ByteArrayContent(new byte[200]) };
        request.Headers.Add("Upload-Offset", "0");
        using var response = await admin.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("More bytes arrived than the 100 the upload declared; the upload was discarded.", await UploadClient.ReasonAsync(response));
        Assert.DoesNotContain(portal.UploadAreaFiles(), f => f.Contains(upload.Id.ToString("N"), StringComparison.Ordinal));
        using var gone = await uploads.CompleteAsync(upload.Id);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("../../../etc/passwd.gguf", "passwd")]
    [InlineData("/etc/cron.d/evil.gguf", "evil")]
    [InlineData("C:\\Windows\\System32\\x.gguf", "x")]
    [InlineData("..", "model")]
    public async Task Upload_PathInName_StoredUnderServersOwnName(string clientName, string expectedStem)
    {
        var path = _files.File("named.gguf");
        TestModels.WriteTinyLlama(path, seed: 200 + clientName.Length);
        var uploads = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);
        var upload = await uploads.StartOkAsync(clientName, new FileInfo(path).Length);

        await uploads.SendFromAsync(upload.Id, path, 0, Chunk);
        using var complete = await uploads.CompleteAsync(upload.Id);

        Assert.True(complete.StatusCode == HttpStatusCode.OK, await complete.Content.ReadAsStringAsync(Ct));
        var model = (await complete.Content.ReadFromJsonAsync<CompletedUpload>(Ct))!;
        Assert.Equal($"{expectedStem}-{upload.Id.ToString("N")[..12]}.gguf", model.StoredFileName);
        Assert.True(File.Exists(Path.Combine(portal.ModelsFolder, model.StoredFileName)));
        Assert.Equal(portal.ModelsFolder, Path.GetDirectoryName(Path.GetFullPath(Path.Combine(portal.ModelsFolder, model.StoredFileName))));
    }

    [Fact]
    public async Task Upload_Unauthenticated_Unauthorized()
    {
        var uploads = new UploadClient(portal.NewBrowser().Http);

        using var response = await uploads.StartAsync("x.gguf", 10);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(TenantRoles.Member)]
    [InlineData(TenantRoles.TenantAdmin | TenantRoles.Member)]
    public async Task Upload_NotPlatformAdmin_Forbidden(TenantRoles roles)
    {
        var (_, browser) = await portal.SignedInMemberAsync(roles);
        var uploads = new UploadClient(browser.Http);

        using var start = await uploads.StartAsync("x.gguf", 10);
        using var status = await browser.Http.GetAsync($"{UploadClient.Path}/{Guid.NewGuid()}", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, status.StatusCode);
    }

    /// <summary>Uploads <paramref name="bytes"/> whole, expects 422, and checks that nothing was kept.</summary>
    private async Task<string> RefusedUploadAsync(string name, byte[] bytes, string? expectedSha256 = null)
    {
        var modelsBefore = await portal.App.QueryAsync(db => db.ModelEntries.CountAsync(Ct));
        var uploads = new UploadClient((await portal.SignedInPlatformAdminAsync()).Http);
        var upload = await uploads.StartOkAsync(name, bytes.Length, expectedSha256);
        using (var put = await uploads.PutAsync(upload.Id, 0, bytes.Length, new ByteArrayContent(bytes), bytes.Length))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var complete = await uploads.CompleteAsync(upload.Id);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, complete.StatusCode);
        Assert.Equal(modelsBefore, await portal.App.QueryAsync(db => db.ModelEntries.CountAsync(Ct)));
        Assert.DoesNotContain(portal.UploadAreaFiles(), f => f.Contains(upload.Id.ToString("N"), StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(portal.ModelsFolder, upload.StoredFileName)));
        Assert.True(await portal.App.QueryAsync(db => db.AuditEvents.AnyAsync(a => a.Action == "model.upload_refused" && a.Target == $"upload:{upload.Id}", Ct)));
        return await UploadClient.ReasonAsync(complete);
    }
}
