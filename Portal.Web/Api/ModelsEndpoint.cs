namespace Portal.Web.Api;

/// <summary><c>/v1/models</c>: the models the key may use (its tenant's grants, the tenant policy, the key's own list).</summary>
internal static class ModelsEndpoint
{
    public static async Task ListAsync(HttpContext http, ApiModels models)
    {
        var key = http.Features.Get<ApiKeyCaller>()!;
        var usable = await models.UsableAsync(key, http.RequestAborted);
        await http.Response.WriteAsJsonAsync(new ModelList("list", [.. usable.Select(Describe)]), OpenAiErrors.Json, http.RequestAborted);
    }

    public static async Task GetAsync(string id, HttpContext http, ApiModels models)
    {
        var key = http.Features.Get<ApiKeyCaller>()!;
        try
        {
            var model = await models.ResolveAsync(key, id, http.RequestAborted);
            await http.Response.WriteAsJsonAsync(Describe(model), OpenAiErrors.Json, http.RequestAborted);
        }
        catch (OpenAiErrorException ex)
        {
            await OpenAiErrors.WriteAsync(http, ex.Status, ex.Error);
        }
    }

    private static ModelObject Describe(ApiModel model) => new(model.ApiName, "model", model.CreatedAt.ToUnixTimeSeconds(), "portal");
}
