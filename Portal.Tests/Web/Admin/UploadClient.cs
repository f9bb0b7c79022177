using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Web.Models;

namespace Portal.Tests.Web.Admin;

/// <summary>The upload API as the browser's upload module calls it: start, PUT chunks with Content-Range, status, complete.</summary>
internal sealed class UploadClient(HttpClient http)
{
    public const string Path = "/api/admin/uploads";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<HttpResponseMessage> StartAsync(string fileName, long size, string? expectedSha256 = null) =>
        http.PostAsJsonAsync(Path, new StartUploadRequest(fileName, size, expectedSha256), Ct);

    public async Task<UploadStatus> StartOkAsync(string fileName, long size, string? expectedSha256 = null)
    {
        using var response = await StartAsync(fileName, size, expectedSha256);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UploadStatus>(Ct))!;
    }

    public async Task<HttpResponseMessage> PutAsync(Guid id, long offset, long total, HttpContent content, long length)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentRange = new ContentRangeHeaderValue(offset, offset + length - 1, total);
        return await http.PutAsync($"{Path}/{id}", content, Ct);
    }

    public async Task<UploadStatus> StatusAsync(Guid id)
    {
        using var response = await http.GetAsync($"{Path}/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UploadStatus>(Ct))!;
    }

    public Task<HttpResponseMessage> StatusResponseAsync(Guid id) => http.GetAsync($"{Path}/{id}", Ct);

    public Task<HttpResponseMessage> CancelAsync(Guid id) => http.DeleteAsync($"{Path}/{id}", Ct);

    public Task<HttpResponseMessage> CompleteAsync(Guid id) => http.PostAsync($"{Path}/{id}/complete", null, Ct);

    /// <summary>Sends <paramref name="path"/> from <paramref name="offset"/> (up to <paramref name="end"/>) in chunks of <paramref name="chunkBytes"/>, streamed from disk.</summary>
    public async Task SendFromAsync(Guid id, string path, long offset, int chunkBytes, long? end = null)
    {
        var total = new FileInfo(path).Length;
        var stop = end ?? total;
        while (offset < stop)
        {
            var length = Math.Min(chunkBytes, stop - offset);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            file.Seek(offset, SeekOrigin.Begin);
            using var content = new StreamContent(new SliceStream(file, length), 1 << 16);
            content.Headers.ContentLength = length;
            using var response = await PutAsync(id, offset, total, content, length);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
            offset += length;
        }
    }

    /// <summary>The <c>detail</c> of a problem-details answer: the reason a person reads.</summary>
    public static async Task<string> ReasonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("detail").GetString() ?? "";
    }
}
