using System.Net;
using System.Text.RegularExpressions;

namespace Portal.Tests.Web.Hosting;

/// <summary>
/// An <see cref="HttpClient"/> that keeps cookies and does not follow redirects, with the few steps a
/// browser takes on the portal's forms: read the antiforgery token, post the form.
/// </summary>
public sealed partial class BrowserLikeClient(HttpClient client)
{
    public HttpClient Http { get; } = client;

    public async Task<HttpResponseMessage> SignInAsync(string email, string password, string returnUrl = "/")
    {
        var token = await AntiforgeryTokenAsync("/account/signin");
        return await PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["email"] = email,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
        }));
    }

    public Task<HttpResponseMessage> GetAsync(string url) => Http.GetAsync(url, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> PostAsync(string url, HttpContent content) =>
        Http.PostAsync(url, content, TestContext.Current.CancellationToken);

    public async Task<HttpResponseMessage> PostFormAsync(string tokenPage, string action, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = await AntiforgeryTokenAsync(tokenPage);
        return await PostAsync(action, new FormUrlEncodedContent(fields));
    }

    /// <summary>GETs <paramref name="url"/> and expects a page (200).</summary>
    public async Task<string> GetPageAsync(string url)
    {
        using var response = await GetAsync(url);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {response.Headers.Location}");
        return WebUtility.HtmlDecode(html);
    }

    public async Task<string> AntiforgeryTokenAsync(string page)
    {
        using var response = await GetAsync(page);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var match = AntiforgeryInput().Match(html);
        Assert.True(match.Success, $"No antiforgery token on {page} ({(int)response.StatusCode}).");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}
